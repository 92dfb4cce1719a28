using Akka.Actor;
using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// sendnb to an endpoint on another node: the owner node delivers it only if the destination is receiving from the
/// caller right now, else NotReady (one round trip), for thread and actor endpoints as callers and destinations.
/// </summary>
public sealed class RemoteSendNbTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 90_000)]
    public async Task A_sendnb_from_a_thread_is_NotReady_until_the_remote_thread_receives_from_it_then_delivered()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "client");
        await nodes[1].WhenBoundAsync(client.Endpoint.Slot, Patience);

        Assert.Equal(IpcStatus.NotReady, client.SendNb(Endpoint.System(5), new Message(1)));
        Assert.Contains("on node 1 answered", client.LastError ?? "");
        Assert.Equal(IpcStatus.Again, server.Receive(Endpoint.Any, out _, TimeSpan.Zero));     // nothing was left

        var receiving = Task.Factory.StartNew(() => (server.Receive(client.Endpoint, out var m, Patience), m),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await AwaitAssertAsync(() => Assert.Equal($"RECEIVING from {client.Endpoint}",
            nodes[1].Snapshot().Procs.Single(p => p.Slot == 5).State), Patience);
        Assert.Equal(IpcStatus.Ok, client.SendNb(Endpoint.System(5), new Message(2)));
        var (status, got) = await receiving.WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 2, client.Endpoint), (status, got.Type, got.Source));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_sendnb_from_an_actor_reaches_an_idle_remote_actor_and_is_NotReady_for_a_busy_remote_thread()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        var serverProbe = CreateTestProbe(nodes[1].System);
        nodes[1].ActorOf(Props.Create(() => new ScriptActor(serverProbe.Ref, 6, false)), "idle-server");
        using var busy = nodes[1].Bind(slot: 5, owner: "busy");
        await nodes[2].WhenBoundAsync(6, Patience);
        await nodes[2].WhenBoundAsync(5, Patience);
        var probe = CreateTestProbe(nodes[2].System);
        var client = nodes[2].ActorOf(Props.Create(() => new ScriptActor(probe.Ref, null, false)), "client");
        var clientEp = await client.Ask<Endpoint>(new ScriptActor.WhoAmI(), Patience);
        await nodes[1].WhenBoundAsync(clientEp.Slot, Patience);

        // An idle actor is always receiving (§12.8): delivered at once on its node.
        client.Tell(new ScriptActor.DoSendNb(Endpoint.System(6), new Message(30)), probe.Ref);
        Assert.Equal(IpcStatus.Ok, probe.ExpectMsg<ScriptActor.Started>(Patience).Status);
        var got = serverProbe.ExpectMsg<ScriptActor.Got>(Patience);
        Assert.Equal((30, clientEp), (got.Message.Type, got.Message.Source));

        // A thread that is not receiving: NotReady, and nothing is left queued there.
        client.Tell(new ScriptActor.DoSendNb(Endpoint.System(5), new Message(31)), probe.Ref);
        Assert.Equal(IpcStatus.NotReady, probe.ExpectMsg<ScriptActor.Started>(Patience).Status);
        Assert.Equal(IpcStatus.Again, busy.Receive(Endpoint.Any, out _, TimeSpan.Zero));

        // A thread caller to the idle actor: delivered too.
        using var thread = nodes[2].Bind(owner: "thread");
        await nodes[1].WhenBoundAsync(thread.Endpoint.Slot, Patience);
        Assert.Equal(IpcStatus.Ok, thread.SendNb(Endpoint.System(6), new Message(32)));
        Assert.Equal(32, serverProbe.ExpectMsg<ScriptActor.Got>(Patience).Message.Type);
    }
}
