using System.Diagnostics;
using Akka.Actor;
using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// A node that crashes: once Akka's failure detector marks it unreachable, calls blocked on its endpoints return
/// NotConnected (thread and actor callers, on both surviving nodes), new calls to them too, and its ghosts go once the
/// Split Brain Resolver has removed it. Three nodes, so the two survivors are the majority.
/// </summary>
public sealed class NodeLossTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 120_000)]
    public async Task Calls_blocked_on_a_lost_node_return_NotConnected_and_its_ghosts_go()
    {
        await using var nodes = await BridgeNodes.StartAsync(3, Output);
        using var server = nodes[3].Bind(slot: 5, owner: "doomed-server");     // never answers
        using var talker = nodes[3].Bind(owner: "doomed-talker");
        await nodes[1].WhenBoundAsync(5, Patience);
        await nodes[1].WhenBoundAsync(talker.Endpoint.Slot, Patience);
        using var caller = nodes[1].Bind(owner: "caller");
        using var listener = nodes[1].Bind(owner: "listener");
        await nodes[2].WhenBoundAsync(5, Patience);
        var probe = CreateTestProbe(nodes[2].System);
        var actor = nodes[2].ActorOf(Props.Create(() => new ScriptActor(probe.Ref, null, false)), "actor-caller");

        var sendRec = Task.Run(async () => (await caller.SendRecAsync(Endpoint.System(5), new Message(1))).Status);
        var receive = Task.Run(async () => (await listener.ReceiveAsync(talker.Endpoint)).Status);
        actor.Tell(new ScriptActor.DoSend(Endpoint.System(5), new Message(2)), probe.Ref);
        Assert.Equal(IpcStatus.Suspended, probe.ExpectMsg<ScriptActor.Started>(Patience).Status);
        await AwaitAssertAsync(
            () => Assert.Equal(2, nodes[3].Snapshot().Procs.Single(p => p.Slot == 5).QueuedSenders.Count), Patience);

        var clock = Stopwatch.StartNew();
        await nodes.KillAsync(3);
        Assert.Equal(IpcStatus.NotConnected, await sendRec.WaitAsync(Patience));
        Assert.Equal(IpcStatus.NotConnected, await receive.WaitAsync(Patience));
        Assert.Equal(IpcStatus.NotConnected, probe.ExpectMsg<ScriptActor.SendDone>(Patience).Status);
        Output.WriteLine($"NotConnected {clock.ElapsedMilliseconds} ms after the kill (heartbeat pause 3 s)");
        Assert.Equal(IpcStatus.NotConnected, (await caller.SendRecAsync(Endpoint.System(5), new Message(3))).Status);

        await AwaitAssertAsync(() => Assert.DoesNotContain(nodes[1].Snapshot().Procs, p => p.Node == 3), Patience);
        Output.WriteLine($"ghosts of node 3 gone {clock.ElapsedMilliseconds} ms after the kill");
        Assert.Equal(IpcStatus.DeadSrcDst, (await caller.SendRecAsync(Endpoint.System(5), new Message(4))).Status);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_node_whose_VM_ends_leaves_and_callers_blocked_on_it_get_NotConnected()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "leaving-server");       // never answers
        await nodes[2].WhenBoundAsync(5, Patience);
        using var caller = nodes[2].Bind(owner: "caller");
        var sendRec = Task.Run(async () => (await caller.SendRecAsync(Endpoint.System(5), new Message(1))).Status);
        await AwaitAssertAsync(() => Assert.Contains(caller.Endpoint,
            nodes[1].Snapshot().Procs.Single(p => p.Slot == 5).QueuedSenders), Patience);

        await nodes.EndAsync(1).WaitAsync(Patience);
        Assert.Equal(IpcStatus.NotConnected, await sendRec.WaitAsync(Patience));
        await AwaitAssertAsync(() => Assert.DoesNotContain(nodes[2].Snapshot().Procs, p => p.Node == 1), Patience);
    }
}
