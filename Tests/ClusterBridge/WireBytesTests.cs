using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// What one IPC hop costs on the wire: the TCP payload bytes the kernel counts on the two nodes' sockets (`ss -ti`
/// bytes_sent) over many sendrec round trips (two frames each), divided by the frames. The frame itself is 88 bytes;
/// the rest is Akka.Remote's envelope (the recipient's path and the protocol headers).
/// </summary>
public sealed partial class WireBytesTests(ITestOutputHelper output)
{
    private const int RoundTrips = 2_000;

    [Fact(Timeout = 120_000)]
    public async Task A_64_byte_message_crosses_in_one_fixed_frame_plus_the_remote_envelope()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, output);
        using var server = nodes[1].Bind(slot: 5, owner: "echo");
        await nodes[2].WhenBoundAsync(5, BridgeNodes.Patience);
        using var client = nodes[2].Bind(owner: "client");
        var serving = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < RoundTrips + 1; i++)
            {
                if (server.Receive(Endpoint.Any, out var m, BridgeNodes.Patience) != IpcStatus.Ok) return i;
                if (server.Reply(m.Source, m) != IpcStatus.Ok) return i;
            }
            return RoundTrips + 1;
        }, TaskCreationOptions.LongRunning);
        var warm = new Message(1);
        Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(5), ref warm, BridgeNodes.Patience));

        var ports = new[] { nodes.Bridge(1).HostPort, nodes.Bridge(2).HostPort }.Select(p => p.Split(':')[1]).ToHashSet();
        // The same connection carries the cluster's heartbeats and gossip: their rate, over a quiet second, is taken
        // off what the round trips measured (a loaded machine stretches the run, and the background with it).
        var quiet = Stopwatch.StartNew();
        var idle = BytesSent(ports);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var background = (BytesSent(ports) - idle) / quiet.Elapsed.TotalSeconds;

        var before = BytesSent(ports);
        var run = Stopwatch.StartNew();
        for (var i = 0; i < RoundTrips; i++)
        {
            var m = new Message(2);
            Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(5), ref m, BridgeNodes.Patience));
        }
        var measured = BytesSent(ports) - before;
        var perFrame = (measured - background * run.Elapsed.TotalSeconds) / (2 * RoundTrips);
        Assert.Equal(RoundTrips + 1, await serving.WaitAsync(BridgeNodes.Patience));
        output.WriteLine($"{perFrame:F1} bytes on the wire per 64-byte message (frame {Frames.Size} + Akka.Remote " +
                         $"envelope); raw {measured / (2.0 * RoundTrips):F1} with {background:F0} B/s of cluster traffic");
        // Akka's default JSON would put ~384 bytes in the frame alone: the fixed serializer is what crossed.
        Assert.InRange(perFrame, Frames.Size, 384);
    }

    // Sum of bytes_sent over the TCP sockets between the nodes (either end on one of their ports).
    private static long BytesSent(IReadOnlySet<string> ports)
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", "-tinH") { RedirectStandardOutput = true })!;
        var text = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        long total = 0;
        foreach (Match socket in Socket().Matches(text))
            if (ports.Contains(socket.Groups["local"].Value) || ports.Contains(socket.Groups["peer"].Value))
                total += long.Parse(socket.Groups["sent"].Value);
        return total;
    }

    // Either address form: 127.0.0.1:port or [::ffff:127.0.0.1]:port (a dual-stack socket).
    [GeneratedRegex(@"127\.0\.0\.1\]?:(?<local>\d+)\s+\S*127\.0\.0\.1\]?:(?<peer>\d+)[^\n]*\n[^\n]*?bytes_sent:(?<sent>\d+)")]
    private static partial Regex Socket();

    private static class Frames
    {
        internal const int Size = M3Actors.ClusterBridge.Frames.IpcFrameSerializer.FrameSize;
    }
}
