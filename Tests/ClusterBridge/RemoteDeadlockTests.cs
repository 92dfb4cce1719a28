using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// Cycles of blocked endpoints across nodes end with Locked for the call that closes them: across two nodes the
/// owner node's own walk sees the whole cycle (the remote caller's call is made there through its ghost); across
/// three, edge-chasing probes follow the chain from node to node back to the caller.
/// </summary>
public sealed class RemoteDeadlockTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 90_000)]
    public async Task A_send_that_closes_a_cycle_across_two_nodes_returns_Locked()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var x = nodes[1].Bind(slot: 5, owner: "x");
        using var y = nodes[2].Bind(slot: 6, owner: "y");
        await nodes[1].WhenBoundAsync(6, Patience);
        await nodes[2].WhenBoundAsync(5, Patience);

        var xSends = Task.Factory.StartNew(() => x.Send(y.Endpoint, new Message(1), Patience),
            TaskCreationOptions.LongRunning);
        await AwaitAssertAsync(() => Assert.Contains(x.Endpoint,
            nodes[2].Snapshot().Procs.Single(p => p.Endpoint == y.Endpoint).QueuedSenders), Patience);

        Assert.Equal(IpcStatus.Locked, y.Send(x.Endpoint, new Message(2), Patience));     // y -> x -> y
        Assert.False(xSends.IsCompleted);
        Assert.Equal(IpcStatus.Ok, y.Receive(x.Endpoint, out var m, Patience));
        Assert.Equal(1, m.Type);
        Assert.Equal(IpcStatus.Ok, await xSends.WaitAsync(Patience));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_send_that_closes_a_cycle_through_three_nodes_returns_Locked_and_the_others_go_on()
    {
        await using var nodes = await BridgeNodes.StartAsync(3, Output);
        using var x = nodes[1].Bind(slot: 5, owner: "x");
        using var y = nodes[2].Bind(slot: 6, owner: "y");
        using var z = nodes[3].Bind(slot: 7, owner: "z");
        foreach (var n in new[] { 1, 2, 3 })
            foreach (var slot in new[] { 5, 6, 7 }) await nodes[n].WhenBoundAsync(slot, Patience);

        var xSends = BlockedChains.SendOnThread(x, y.Endpoint, 1);
        await this.QueuedAt(nodes[2], y.Endpoint, x.Endpoint);
        var ySends = BlockedChains.SendOnThread(y, z.Endpoint, 2);
        await this.QueuedAt(nodes[3], z.Endpoint, y.Endpoint);

        Assert.Equal(IpcStatus.Locked, z.Send(x.Endpoint, new Message(3), Patience));      // x -> y -> z -> x
        Assert.Contains("cycle", z.LastError);
        await AwaitAssertAsync(() => Assert.Empty(                                         // withdrawn on node 1
            nodes[1].Snapshot().Procs.Single(p => p.Endpoint == x.Endpoint).QueuedSenders), Patience);
        Assert.False(xSends.IsCompleted || ySends.IsCompleted);
        Assert.Equal(IpcStatus.Ok, z.Receive(y.Endpoint, out var fromY, Patience));
        Assert.Equal((IpcStatus.Ok, 2), (await ySends.WaitAsync(Patience), fromY.Type));
        Assert.Equal(IpcStatus.Ok, y.Receive(x.Endpoint, out var fromX, Patience));
        Assert.Equal((IpcStatus.Ok, 1), (await xSends.WaitAsync(Patience), fromX.Type));
    }

    // a -> b (remote), b -> c (node 2, or node 3 of three), c -> d (remote): with two nodes node 1 sees only
    // d <- ghost c and a -> ghost b; with three the probe visits every node. d -> a closes the cycle.
    [Theory(Timeout = 120_000)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_local_send_that_closes_a_cycle_across_nodes_returns_Locked_and_the_others_go_on(int count)
    {
        await using var nodes = await BridgeNodes.StartAsync(count, Output);
        using var a = nodes[1].Bind(slot: 5, owner: "a");
        using var b = nodes[2].Bind(slot: 6, owner: "b");
        using var c = nodes[count].Bind(slot: 7, owner: "c");
        using var d = nodes[1].Bind(slot: 8, owner: "d");
        await BlockedChains.AllBound(nodes, count, 5, 6, 7, 8);

        var aSends = BlockedChains.SendOnThread(a, b.Endpoint, 1);
        await this.QueuedAt(nodes[2], b.Endpoint, a.Endpoint);
        var bSends = BlockedChains.SendOnThread(b, c.Endpoint, 2);
        await this.QueuedAt(nodes[count], c.Endpoint, b.Endpoint);
        var cSends = BlockedChains.SendOnThread(c, d.Endpoint, 3);
        await this.QueuedAt(nodes[1], d.Endpoint, c.Endpoint);

        Assert.Equal(IpcStatus.Locked, d.Send(a.Endpoint, new Message(4), Patience));
        Assert.Contains("cycle", d.LastError);
        Assert.DoesNotContain(d.Endpoint, QueueOf(nodes[1], a.Endpoint));
        await Unwind((d, c, 3, cSends), (c, b, 2, bSends), (b, a, 1, aSends));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_receive_from_a_remote_source_that_closes_a_cycle_returns_Locked()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var b = nodes[2].Bind(slot: 6, owner: "b");
        using var c = nodes[2].Bind(slot: 7, owner: "c");
        using var d = nodes[1].Bind(slot: 8, owner: "d");
        await BlockedChains.AllBound(nodes, 2, 6, 7, 8);

        var bSends = BlockedChains.SendOnThread(b, c.Endpoint, 2);
        await this.QueuedAt(nodes[2], c.Endpoint, b.Endpoint);
        var cSends = BlockedChains.SendOnThread(c, d.Endpoint, 3);
        await this.QueuedAt(nodes[1], d.Endpoint, c.Endpoint);

        // d waits for b, b for c (node 2), c for d: the receive is local, nothing of it crosses to node 2.
        Assert.Equal(IpcStatus.Locked, d.Receive(b.Endpoint, out _, Patience));
        Assert.Contains("cycle", d.LastError);
        Assert.False(bSends.IsCompleted || cSends.IsCompleted);
        Assert.Equal(IpcStatus.Ok, d.Receive(c.Endpoint, out var fromC, Patience));
        Assert.Equal((IpcStatus.Ok, 3), (await cSends.WaitAsync(Patience), fromC.Type));
        Assert.Equal(IpcStatus.Ok, c.Receive(b.Endpoint, out var fromB, Patience));
        Assert.Equal((IpcStatus.Ok, 2), (await bSends.WaitAsync(Patience), fromB.Type));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_local_send_on_a_chain_across_nodes_without_a_cycle_stays_blocked()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var a = nodes[1].Bind(slot: 5, owner: "a");
        using var b = nodes[2].Bind(slot: 6, owner: "b");
        using var c = nodes[2].Bind(slot: 7, owner: "c");
        using var d = nodes[1].Bind(slot: 8, owner: "d");
        using var e = nodes[1].Bind(slot: 9, owner: "e");
        using var server = nodes[2].Bind(slot: 10, owner: "server");
        using var fence = nodes[1].Bind(slot: 11, owner: "fence");
        await BlockedChains.AllBound(nodes, 2, 5, 6, 7, 8, 9, 10, 11);

        var aSends = BlockedChains.SendOnThread(a, b.Endpoint, 1);
        await this.QueuedAt(nodes[2], b.Endpoint, a.Endpoint);
        var bSends = BlockedChains.SendOnThread(b, c.Endpoint, 2);
        await this.QueuedAt(nodes[2], c.Endpoint, b.Endpoint);
        var cSends = BlockedChains.SendOnThread(c, e.Endpoint, 3);         // e, on node 1, waits for nobody
        await this.QueuedAt(nodes[1], e.Endpoint, c.Endpoint);

        // d -> a -> b -> c -> e: the probe goes to node 2 and back to node 1, where it dies at e. The async send
        // returns once the probe is queued for node 2; a sendrec queued after it to node 2, answered from there,
        // comes back behind the probe's return (each link keeps its order), so by then node 1 has judged it.
        var dSends = d.SendAsync(a.Endpoint, new Message(4)).AsTask();
        var serves = Task.Factory.StartNew(() =>
        {
            Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var request, Patience));
            return server.Reply(request.Source, new Message(6));
        }, TaskCreationOptions.LongRunning);
        var call = new Message(5);
        Assert.Equal(IpcStatus.Ok, fence.SendRec(server.Endpoint, ref call, Patience));
        Assert.Equal((IpcStatus.Ok, 6), (await serves.WaitAsync(Patience), call.Type));

        Assert.False(dSends.IsCompleted);
        Assert.Contains(d.Endpoint, QueueOf(nodes[1], a.Endpoint));
        Assert.Equal(IpcStatus.Ok, e.Receive(c.Endpoint, out var fromC, Patience));
        Assert.Equal((IpcStatus.Ok, 3), (await cSends.WaitAsync(Patience), fromC.Type));
        await Unwind((c, b, 2, bSends), (b, a, 1, aSends), (a, d, 4, dSends));
    }

    // Each receiver in turn takes the message of the sender blocked on it; that send then ends Ok.
    private static async Task Unwind(params (EndpointHandle Receiver, EndpointHandle Sender, int Type,
        Task<IpcStatus> Send)[] steps)
    {
        Assert.DoesNotContain(steps, s => s.Send.IsCompleted);
        foreach (var (receiver, sender, type, send) in steps)
        {
            Assert.Equal(IpcStatus.Ok, receiver.Receive(sender.Endpoint, out var m, Patience));
            Assert.Equal((IpcStatus.Ok, type), (await send.WaitAsync(Patience), m.Type));
        }
    }

    private static IReadOnlyList<Endpoint> QueueOf(Vm node, Endpoint receiver) =>
        node.Snapshot().Procs.Single(p => p.Endpoint == receiver).QueuedSenders;
}
