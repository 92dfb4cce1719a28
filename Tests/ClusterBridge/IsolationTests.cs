using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// Two VMs spanning the same two nodes stay apart (each is its own Akka cluster), and privileges are checked on the
/// caller's node before anything crosses.
/// </summary>
public sealed class IsolationTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 120_000)]
    public async Task Two_VMs_on_the_same_nodes_see_only_their_own_endpoints()
    {
        await using var spread = await BridgeNodes.StartAsync(2, Output);
        await using var other = await BridgeNodes.StartAsync(2, Output, vm: o => o with { Id = 5, Name = "other" });
        using var inSpread = spread[1].Bind(slot: 5, owner: "spread-server");
        using var inOther = other[1].Bind(slot: 6, owner: "other-server");
        await spread[2].WhenBoundAsync(5, Patience);
        await other[2].WhenBoundAsync(6, Patience);

        Assert.DoesNotContain(spread[2].Snapshot().Procs, p => p.Slot == 6);
        Assert.DoesNotContain(other[2].Snapshot().Procs, p => p.Slot == 5);
        using var client = other[2].Bind(owner: "other-client");
        Assert.Equal(IpcStatus.DstDied, client.Send(Endpoint.System(5), new Message(1), Patience));   // not in its VM
    }

    [Fact(Timeout = 90_000)]
    public async Task Privileges_are_checked_on_the_callers_node()
    {
        // Every user slot may send only to slot 5; slot 6 is off limits.
        var onlyFive = new Privileges(IpcCalls.All, new HashSet<int> { 5 });
        await using var nodes = await BridgeNodes.StartAsync(2, Output, vm: o => o with { DefaultPrivileges = onlyFive });
        using var allowed = nodes[1].Bind(slot: 5, owner: "allowed");
        using var denied = nodes[1].Bind(slot: 6, owner: "denied");
        await nodes[2].WhenBoundAsync(6, Patience);
        using var client = nodes[2].Bind(owner: "client");
        Assert.Equal(IpcStatus.CallDenied, client.Send(Endpoint.System(6), new Message(1), Patience));
        Assert.Equal(IpcStatus.CallDenied, client.Notify(Endpoint.System(6)));
        Assert.Empty(nodes[1].Snapshot().Procs.Single(p => p.Slot == 6).QueuedSenders);
    }
}
