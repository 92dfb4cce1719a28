using System.Diagnostics;
using Akka.Configuration;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// What one IPC hop costs on the wire: the TCP payload bytes the kernel counts on the two nodes' sockets (`ss -ti`
/// bytes_sent) over many sendrec round trips (two frames each), divided by the frames. A frame is ~63 bytes
/// (FrameCodec); the frames a node has ready for its peer share one Akka.Remote envelope (the recipient's path and
/// the protocol headers), so with many calls in flight the envelope nearly vanishes per message.
/// </summary>
public sealed partial class WireBytesTests(ITestOutputHelper output)
{
    // The server answers each request as it comes: a caller never waits for more than the calls queued before it.
    private static readonly TimeSpan CallPatience = BridgeNodes.Patience;

    // These tests measure bytes, not node loss: on a loaded machine (load 30 on 2 cores) a heartbeat can be late by
    // more than the cluster tests' 1 s, and a node marked unreachable fails the calls with NotConnected. A patient
    // failure detector keeps the measurement about the wire.
    // The echo server (node 1) and the clients (node 2) are bound before the bridges start, so the directory carries
    // them in the one exchange of its state at the join. Bound after the join, each bind is a replicated write of the
    // whole directory: 100 clients put 150-250 KB on the wire for 1-3.5 s after their warm-up calls, which the quiet
    // second took for the cluster's background (9-200 KB/s measured instead of ~9), and the result swung from 21 to
    // 80 bytes per message. Returns once node 2 has the server's ghost and node 1 lists every client.
    private const string Quiet = """
        akka.cluster {
          failure-detector { heartbeat-interval = 2s, acceptable-heartbeat-pause = 20s }
          gossip-interval = 2s
          distributed-data.gossip-interval = 2s
        }
        """;

    private static async Task<(BridgeNodes Nodes, EndpointHandle Server, EndpointHandle[] Clients)> StartNodesAsync(
        ITestOutputHelper output, int clients)
    {
        EndpointHandle? server = null;
        var handles = Array.Empty<EndpointHandle>();
        var nodes = await BridgeNodes.StartAsync(2, output, userSlots: 2 * clients + 40,
            vm: o => o with
            {
                ActorConfig = ConfigurationFactory.ParseString(Quiet).WithFallback(o.ActorConfig),
            },
            beforeBridge: (id, vm) =>
            {
                if (id == 1) server = vm.Bind(slot: 5, owner: "echo");
                else handles = Enumerable.Range(0, clients).Select(i => vm.Bind(owner: $"client {i}")).ToArray();
            });
        try
        {
            await nodes[2].WhenBoundAsync(5, BridgeNodes.Patience);
            using var patience = new CancellationTokenSource(BridgeNodes.Patience);
            while (nodes[1].Snapshot().Procs.Count(p => p.Owner.StartsWith("node 2: client", StringComparison.Ordinal))
                   < clients)
                await Task.Delay(20, patience.Token);
            return (nodes, server!, handles);
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task One_call_in_flight_pays_the_remote_envelope_once_per_frame()
    {
        const int roundTrips = 1_000;
        var (nodes, server, clients) = await StartNodesAsync(output, clients: 1);
        await using var ending = nodes;
        using var serverHandle = server;
        using var client = clients[0];
        var serving = Serve(server, roundTrips + 1);
        var warm = new Message(1);
        Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(5), ref warm, CallPatience));

        var perFrame = await MeasureAsync(nodes, 2 * roundTrips, () =>
        {
            for (var i = 0; i < roundTrips; i++)
            {
                var m = new Message(2);
                Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(5), ref m, CallPatience));
            }
            return Task.CompletedTask;
        });
        Assert.Equal(roundTrips + 1, await serving.WaitAsync(BridgeNodes.Patience));
        output.WriteLine($"1 in flight: {perFrame:F1} bytes on the wire per 64-byte message");
        // One ~63-byte frame per envelope: well under the fixed 88-byte frame's 167-171, above the frame alone.
        Assert.InRange(perFrame, 63, 160);
    }

    [Fact(Timeout = 120_000)]
    public async Task Pipelined_calls_share_envelopes()
    {
        // 400 calls in flight, as the pipelined Perf spec (4 pairs x 100).
        const int clients = 400, roundTrips = 10;
        var (nodes, server, handles) = await StartNodesAsync(output, clients);
        await using var ending = nodes;
        using var serverHandle = server;
        var serving = Serve(server, clients * (roundTrips + 1));
        try
        {
            await Task.WhenAll(handles.Select(h => CallAsync(h, 1)));
            var perFrame = await MeasureAsync(nodes, 2 * clients * roundTrips,
                () => Task.WhenAll(handles.Select(h => CallAsync(h, roundTrips))));
            Assert.Equal(clients * (roundTrips + 1), await serving.WaitAsync(BridgeNodes.Patience));
            output.WriteLine($"{clients} in flight: {perFrame:F1} bytes on the wire per 64-byte message");
            // Shared: one envelope per frame would be ~144 bytes (the test above). How many frames share one is
            // what gathers while the node proxy sends the last batch, so the figure moves with timing (65-80 from
            // run to run, 80.08 once): the issue's bar of 80 is the Perf spec wire-bytes-pipelined; here, at least
            // two frames per envelope on average.
            Assert.InRange(perFrame, 40, 104);
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
        }
    }

    private static async Task CallAsync(EndpointHandle client, int roundTrips)
    {
        for (var i = 0; i < roundTrips; i++)
        {
            var result = await client.SendRecAsync(Endpoint.System(5), new Message(2)).AsTask().WaitAsync(CallPatience);
            Assert.Equal(IpcStatus.Ok, result.Status);
        }
    }

    // A thread that echoes `calls` requests; returns how many it answered (fewer only if a receive failed).
    private static Task<int> Serve(EndpointHandle server, int calls) => Task.Factory.StartNew(() =>
    {
        for (var i = 0; i < calls; i++)
        {
            if (server.Receive(Endpoint.Any, out var m, BridgeNodes.Patience) != IpcStatus.Ok) return i;
            if (server.Reply(m.Source, m) != IpcStatus.Ok) return i;
        }
        return calls;
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    // Bytes per frame over `run`: the same connection carries the cluster's heartbeats and gossip, whose rate over a
    // quiet second is taken off (a loaded machine stretches the run, and the background with it).
    private async Task<double> MeasureAsync(BridgeNodes nodes, int frames, Func<Task> run)
    {
        var ports = new[] { nodes.Bridge(1).HostPort, nodes.Bridge(2).HostPort }
            .Select(p => p.Split(':')[1]).ToHashSet();
        var quiet = Stopwatch.StartNew();
        var idle = BytesSent(ports);
        await Task.Delay(TimeSpan.FromSeconds(1));      // a measuring window, not synchronisation
        var background = (BytesSent(ports) - idle) / quiet.Elapsed.TotalSeconds;
        var before = BytesSent(ports);
        var clock = Stopwatch.StartNew();
        await run();
        var measured = BytesSent(ports) - before;
        output.WriteLine($"raw {measured / (double)frames:F1} B per frame with {background:F0} B/s of cluster " +
                         $"traffic over {clock.Elapsed.TotalSeconds:F2} s");
        return (measured - background * clock.Elapsed.TotalSeconds) / frames;
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
}
