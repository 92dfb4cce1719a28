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

        var xSends = SendOnThread(x, y.Endpoint, 1);
        await QueuedAt(nodes[2], y.Endpoint, x.Endpoint);
        var ySends = SendOnThread(y, z.Endpoint, 2);
        await QueuedAt(nodes[3], z.Endpoint, y.Endpoint);

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

    private static Task<IpcStatus> SendOnThread(EndpointHandle from, Endpoint to, int type) =>
        Task.Factory.StartNew(() => from.Send(to, new Message(type), Patience), TaskCreationOptions.LongRunning);

    private Task QueuedAt(Vm node, Endpoint receiver, Endpoint sender) => AwaitAssertAsync(() =>
        Assert.Contains(sender, node.Snapshot().Procs.Single(p => p.Endpoint == receiver).QueuedSenders), Patience);
}
