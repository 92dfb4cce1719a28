using M3Actors.ClusterBridge.Frames;
using M3Actors.Kernel;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Tests.Core.TestBytes;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// A vcopy whose party's node stays reachable but does not copy (it drops or holds the copy frames: the copy engine's
/// fault injection) returns TimedOut after <c>m3actors.cluster.copy-timeout</c>, leaves no party pinned, and its late
/// answer reaches no later copy.
/// </summary>
public sealed class RemoteCopyTimeoutTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact(Timeout = 90_000)]
    public async Task A_vcopy_to_a_node_that_drops_copy_frames_returns_TimedOut_and_unpins_its_parties()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output, bridge: o => o with { CopyTimeout = Bound });
        await using var pair = await Pair.StartAsync(nodes);
        var dropped = 0;
        nodes.Bridge(2).Copies.Arriving = _ =>
        {
            Interlocked.Increment(ref dropped);
            return false;
        };

        Assert.Equal(IpcStatus.TimedOut, pair.CopyToClient(offset: 0, bytes: 1000));
        Assert.Contains("node 2", pair.Server.LastError);
        Assert.Contains("copy-timeout", pair.Server.LastError);
        Assert.True(Volatile.Read(ref dropped) >= 1);                   // the open went there and was dropped
        Assert.False(PinnedOn(nodes[1], pair.Server.Endpoint));
        Assert.False(PinnedOn(nodes[2], pair.Client.Endpoint));
        Assert.Equal(new byte[1000], pair.ClientInbox);

        nodes.Bridge(2).Copies.Arriving = null;                          // the node copies again
        Assert.Equal(IpcStatus.Ok, pair.CopyToClient(offset: 0, bytes: 1000));
        Assert.Equal(pair.ServerData, pair.ClientInbox);
    }

    [Fact(Timeout = 90_000)]
    public async Task The_late_answer_to_a_timed_out_vcopy_reaches_no_later_copy()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output, bridge: o => o with { CopyTimeout = Bound });
        await using var pair = await Pair.StartAsync(nodes);
        using var release = new ManualResetEventSlim();
        var held = 0;
        // Node 2 holds the first open it gets (its proxy thread waits): it stays reachable and answers only later.
        nodes.Bridge(2).Copies.Arriving = frame =>
        {
            if (frame.Kind == FrameKind.CopyTo && Interlocked.Increment(ref held) == 1) release.Wait(Patience);
            return true;
        };

        // Past the end of the client's 1000-byte buffer: node 2 will answer Range, late.
        Assert.Equal(IpcStatus.TimedOut, pair.CopyToClient(offset: 5000, bytes: 100));
        Assert.Contains("did not answer", pair.Server.LastError);
        Assert.False(PinnedOn(nodes[1], pair.Server.Endpoint));

        // A valid copy starts; the late Range for the first arrives on the same link before its answers.
        var second = Task.Factory.StartNew(() => pair.CopyToClient(offset: 0, bytes: 1000),
            TaskCreationOptions.LongRunning);
        await AwaitAssertAsync(() => Assert.True(PinnedOn(nodes[1], pair.Server.Endpoint)), Patience);
        release.Set();
        Assert.Equal(IpcStatus.Ok, await second.WaitAsync(Patience));
        Assert.Equal(pair.ServerData, pair.ClientInbox);
        Assert.Equal(2, Volatile.Read(ref held));
        await AwaitAssertAsync(() => Assert.False(PinnedOn(nodes[2], pair.Client.Endpoint)), Patience);
    }

    private static bool PinnedOn(Vm vm, Endpoint e) => vm.Kernel.ProcAt(e.Slot) is { } p && p.Ep == e && p.Copying;

    /// <summary>
    /// A server on node 1 holding 1000 bytes to give, and a client on node 2 blocked in a sendrec to it (so the
    /// server may copy into the client's 1000-byte inbox); disposing replies and checks the client got it.
    /// </summary>
    private sealed class Pair : IAsyncDisposable
    {
        private Task<IpcStatus> _calling = Task.FromResult(IpcStatus.Ok);
        private int _serverBuffer;
        private int _clientBuffer;

        private Pair(EndpointHandle server, EndpointHandle client) => (Server, Client) = (server, client);

        internal EndpointHandle Server { get; }
        internal EndpointHandle Client { get; }
        internal byte[] ServerData { get; } = Pattern(1000, 7);
        internal byte[] ClientInbox { get; } = new byte[1000];

        internal static async Task<Pair> StartAsync(BridgeNodes nodes)
        {
            var pair = new Pair(nodes[1].Bind(slot: 5, owner: "server"), nodes[2].Bind(owner: "client"));
            await nodes[2].WhenBoundAsync(5, Patience);
            pair._serverBuffer = pair.Server.RegisterBuffer(pair.ServerData, BufferAccess.Read);
            pair._clientBuffer = pair.Client.RegisterBuffer(pair.ClientInbox, BufferAccess.Write);
            pair._calling = Task.Factory.StartNew(() =>
            {
                var m = new Message(1);
                return pair.Client.SendRec(Endpoint.System(5), ref m, Patience);
            }, TaskCreationOptions.LongRunning);
            Assert.Equal(IpcStatus.Ok, pair.Server.Receive(Endpoint.Any, out var request, Patience));
            Assert.Equal(pair.Client.Endpoint, request.Source);
            return pair;
        }

        /// <summary>The server pushes its bytes into the client's inbox at <paramref name="offset"/>.</summary>
        internal IpcStatus CopyToClient(int offset, int bytes) => Server.VCopy(Endpoint.Self, new(_serverBuffer),
            Client.Endpoint, new(_clientBuffer, offset), bytes);

        public async ValueTask DisposeAsync()
        {
            Assert.Equal(IpcStatus.Ok, Server.Reply(Client.Endpoint, new Message(2)));
            Assert.Equal(IpcStatus.Ok, await _calling.WaitAsync(Patience));
            Client.Dispose();
            Server.Dispose();
        }
    }
}
