using Akka.Actor;
using Akka.TestKit;
using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// An endpoint actor's idle receive from a named source (<c>ReceiveFrom</c>) that closes a cycle through other
/// nodes is refused with Locked, as it is when the cycle lies in one process (the actor hears it in its receive
/// error); a chain across nodes without a cycle leaves it receiving until its source sends.
/// </summary>
public sealed class RemoteActorReceiveDeadlockTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    // Two nodes: d (node 1) -> b -> c (node 2) -> d. Three: d -> b (node 2) -> c (node 3) -> d, so the probe visits
    // every node before it comes back to d's receive.
    [Theory(Timeout = 120_000)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task An_actors_receive_from_a_remote_source_that_closes_a_cycle_across_nodes_is_Locked(int nodeCount)
    {
        await using var nodes = await BridgeNodes.StartAsync(nodeCount, Output);
        var (probe, d) = await ActorAsync(nodes[1], slot: 8);
        using var holder = nodes[1].Bind(slot: 9, owner: "holder");
        using var b = nodes[2].Bind(slot: 6, owner: "b");
        using var c = nodes[nodeCount].Bind(slot: 7, owner: "c");
        await BlockedChains.AllBound(nodes, nodeCount, 6, 7, 8, 9);
        await ReceiveFrom(nodes[1], probe, d, holder.Endpoint);       // so c's send to d queues

        var bSends = BlockedChains.SendOnThread(b, c.Endpoint, 2);
        await this.QueuedAt(nodes[nodeCount], c.Endpoint, b.Endpoint);
        var cSends = BlockedChains.SendOnThread(c, d.Endpoint, 3);
        await this.QueuedAt(nodes[1], d.Endpoint, c.Endpoint);

        // d receives from b, b sends to c, c sends to d: d's receive closes the cycle.
        d.Actor.Tell(new ScriptActor.DoReceiveFrom(b.Endpoint), probe.Ref);
        Assert.Equal(IpcStatus.Ok, probe.ExpectMsg<ScriptActor.Started>(Patience).Status);
        Assert.Equal(IpcStatus.Locked, probe.ExpectMsg<ScriptActor.ReceiveError>(Patience).Status);
        Assert.False(bSends.IsCompleted);
        // Back in its receive from ANY, d takes c's message; then c takes b's.
        Assert.Equal((3, c.Endpoint), Got(probe));
        Assert.Equal(IpcStatus.Ok, await cSends.WaitAsync(Patience));
        Assert.Equal(IpcStatus.Ok, c.Receive(b.Endpoint, out var fromB, Patience));
        Assert.Equal((IpcStatus.Ok, 2), (await bSends.WaitAsync(Patience), fromB.Type));
    }

    [Fact(Timeout = 90_000)]
    public async Task An_actors_receive_on_a_chain_across_nodes_without_a_cycle_waits_for_its_source()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        var (probe, d) = await ActorAsync(nodes[1], slot: 8);
        using var e = nodes[1].Bind(slot: 9, owner: "e");
        using var b = nodes[2].Bind(slot: 6, owner: "b");
        using var c = nodes[2].Bind(slot: 7, owner: "c");
        await BlockedChains.AllBound(nodes, 2, 6, 7, 8, 9);

        var bSends = BlockedChains.SendOnThread(b, c.Endpoint, 2);
        await this.QueuedAt(nodes[2], c.Endpoint, b.Endpoint);
        var cSends = BlockedChains.SendOnThread(c, e.Endpoint, 3);                    // e, on node 1, waits for nobody
        await this.QueuedAt(nodes[1], e.Endpoint, c.Endpoint);

        // d -> b -> c -> e: the probe goes to node 2 and back to node 1, where it dies at e.
        await ReceiveFrom(nodes[1], probe, d, b.Endpoint);
        Assert.Equal(IpcStatus.Ok, e.Receive(c.Endpoint, out var fromC, Patience));
        Assert.Equal((IpcStatus.Ok, 3), (await cSends.WaitAsync(Patience), fromC.Type));
        Assert.Equal(IpcStatus.Ok, c.Receive(b.Endpoint, out var fromB, Patience));
        Assert.Equal((IpcStatus.Ok, 2), (await bSends.WaitAsync(Patience), fromB.Type));
        // The receive is satisfied: the first thing d hears is b's message, never a refusal.
        Assert.Equal(IpcStatus.Ok, b.Send(d.Endpoint, new Message(4), Patience));
        Assert.Equal((4, b.Endpoint), Got(probe));
    }

    private async Task<(TestProbe Probe, (IActorRef Actor, Endpoint Endpoint) Script)> ActorAsync(Vm node, int slot)
    {
        var probe = CreateTestProbe(node.System);
        var actor = node.ActorOf(Props.Create(() => new ScriptActor(probe.Ref, slot, false)), "d");
        await node.WhenBoundAsync(slot, Patience);
        return (probe, (actor, Endpoint.System(slot)));
    }

    // Narrows the actor's next idle receive to source and waits until it is in it.
    private async Task ReceiveFrom(Vm node, TestProbe probe, (IActorRef Actor, Endpoint Endpoint) d, Endpoint source)
    {
        d.Actor.Tell(new ScriptActor.DoReceiveFrom(source), probe.Ref);
        Assert.Equal(IpcStatus.Ok, probe.ExpectMsg<ScriptActor.Started>(Patience).Status);
        await AwaitAssertAsync(() => Assert.Equal($"RECEIVING from {source} (idle)",
            node.Snapshot().Procs.Single(p => p.Endpoint == d.Endpoint).State), Patience);
    }

    private static (int Type, Endpoint Source) Got(TestProbe probe)
    {
        var got = probe.ExpectMsg<ScriptActor.Got>(Patience);
        return (got.Message.Type, got.Message.Source);
    }
}
