using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// A cycle of two endpoints on two nodes: the remote caller's call is made on the owner node through its ghost, so
/// that node's deadlock walk sees the whole cycle and refuses the call that closes it with Locked (longer cycles
/// across nodes need edge-chasing probes, not done yet).
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
}
