using Akka.Actor;
using M3Actors.Kernel;
using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// Each primitive between endpoints on two nodes of one VM (both in this process, on loopback), for thread and actor
/// endpoints as callers and as servers. Every wait is bounded; every node ends with the test.
/// </summary>
public sealed class RemoteCallTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 90_000)]
    public async Task A_sendrec_to_a_thread_server_on_another_node_gets_its_reply_and_the_caller_is_a_ghost_there()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "echo");
        await nodes[2].WhenBoundAsync(5, Patience);                     // the ghost arrived
        var serving = OnThread(() =>
        {
            var status = server.Receive(Endpoint.Any, out var request, Patience);
            return status != IpcStatus.Ok ? status : server.Reply(request.Source, new Message(request.Type + 1));
        });

        using var client = nodes[2].Bind(owner: "client");
        var m = new Message(41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(5), ref m, Patience));
        Assert.Equal((42, Endpoint.System(5)), (m.Type, m.Source));
        Assert.Equal(IpcStatus.Ok, await serving.WaitAsync(Patience));
        var ghost = nodes[1].Snapshot().Procs.Single(p => p.Endpoint == client.Endpoint);
        Assert.Equal((OwnerKind.Remote, (int?)2), (ghost.Kind, ghost.Node));
        // Its node and owner's name (only its node until the directory entry arrives, if the call came first).
        await AwaitAssertAsync(() => Assert.Contains("node 2: client", ProcView.Render(nodes[1].Snapshot())), Patience);
    }

    [Fact(Timeout = 90_000)]
    public async Task Actor_clients_and_servers_call_across_nodes_both_ways()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        nodes[1].ActorOf(Props.Create(() => new EchoServer(6)), "echo");
        await nodes[2].WhenBoundAsync(6, Patience);
        var probe = CreateTestProbe(nodes[2].System);
        var client = nodes[2].ActorOf(Props.Create(() => new ScriptActor(probe.Ref, null, false)), "client");
        client.Tell(new ScriptActor.DoSendRec(Endpoint.System(6), new Message(10)), probe.Ref);
        Assert.Equal(IpcStatus.Suspended, probe.ExpectMsg<ScriptActor.Started>(Patience).Status);
        var replied = probe.ExpectMsg<ScriptActor.Replied>(Patience);
        Assert.Equal((IpcStatus.Ok, 11, Endpoint.System(6)), (replied.Status, replied.Message.Type, replied.Message.Source));

        // A thread on node 1 calls an actor server on node 2.
        var serverProbe = CreateTestProbe(nodes[2].System);
        nodes[2].ActorOf(Props.Create(() => new ScriptActor(serverProbe.Ref, 7, true)), "script-echo");
        await nodes[1].WhenBoundAsync(7, Patience);
        using var thread = nodes[1].Bind(owner: "thread-client");
        var m = new Message(20);
        Assert.Equal(IpcStatus.Ok, thread.SendRec(Endpoint.System(7), ref m, Patience));
        Assert.Equal(21, m.Type);
        Assert.Equal(thread.Endpoint, serverProbe.ExpectMsg<ScriptActor.Got>(Patience).Message.Source);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_send_returns_once_the_owner_node_delivered_it_to_a_receive_from_that_remote_source()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "sink");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "sender");
        await nodes[1].WhenBoundAsync(client.Endpoint.Slot, Patience);

        var sending = OnThread(() => client.Send(Endpoint.System(5), new Message(77), Patience));
        // Rendezvous across nodes: the sender's ghost waits in the server's queue until the server receives.
        await AwaitAssertAsync(() => Assert.Contains(client.Endpoint,
            nodes[1].Snapshot().Procs.Single(p => p.Slot == 5).QueuedSenders), Patience);
        Assert.False(sending.IsCompleted);
        Assert.Equal(IpcStatus.Ok, server.Receive(client.Endpoint, out var got, Patience));
        Assert.Equal((77, client.Endpoint), (got.Type, got.Source));
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));

        // The other way: node 1 sends to a thread on node 2 that receives from it by name.
        var receiving = OnThread(() =>
            client.Receive(Endpoint.System(5), out var m, Patience) is var s && s == IpcStatus.Ok ? m.Type : (int)s);
        Assert.Equal(IpcStatus.Ok, server.Send(client.Endpoint, new Message(88), Patience));
        Assert.Equal(88, await receiving.WaitAsync(Patience));
    }

    [Fact(Timeout = 90_000)]
    public async Task Notifications_cross_in_one_frame_each_and_coalesce_at_the_owner()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "notifier");
        for (var i = 0; i < 3; i++) Assert.Equal(IpcStatus.Ok, client.Notify(Endpoint.System(5)));
        // A send after the notifies arrives after them (each caller's calls stay in order): once it is queued
        // there, every notification has arrived, coalesced into one pending bit.
        var marker = OnThread(() => client.Send(Endpoint.System(5), new Message(9), Patience));
        var serverProc = () => nodes[1].Snapshot().Procs.Single(p => p.Slot == 5);
        await AwaitAssertAsync(() => Assert.Contains(client.Endpoint, serverProc().QueuedSenders), Patience);
        Assert.Equal(1, serverProc().PendingNotifies);
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var n, Patience));
        Assert.True(n.IsNotify);
        Assert.Equal(client.Endpoint, n.Source);
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var m, Patience));
        Assert.Equal(9, m.Type);
        Assert.Equal(IpcStatus.Ok, await marker.WaitAsync(Patience));
        Assert.Equal(IpcStatus.Again, server.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }

    [Fact(Timeout = 90_000)]
    public async Task Rcvrqst_and_reply_serve_remote_sendrec_callers_and_a_late_reply_never_completes_a_later_call()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "client");

        // The first sendrec times out on node 2 after the server took it (the server waits in rcvrqst first, and
        // replies only after the timeout); its late reply never reaches the client's next call.
        var taking = OnThread(() => (server.RcvRqst(out var m, Patience), m));
        var first = OnThread(() => SendRec(client, 1, Abandon));
        var (took, request) = await taking.WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 1), (took, request.Type));
        Assert.Equal((int)IpcStatus.TimedOut, await first.WaitAsync(Patience));
        Assert.Equal(IpcStatus.Ok, server.Reply(request.Source, new Message(100)));

        var second = OnThread(() => SendRec(client, 2, Patience));
        Assert.Equal(IpcStatus.Ok, server.RcvRqst(out var again, Patience));
        Assert.Equal(2, again.Type);
        Assert.Equal(IpcStatus.Ok, server.Reply(again.Source, new Message(200)));
        Assert.Equal(200, await second.WaitAsync(Patience));
    }

    [Fact(Timeout = 90_000)]
    public async Task An_abandoned_call_is_withdrawn_on_the_owner_node_and_a_taken_sendrec_leaves_the_12_1_debt()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "client");
        ProcSnapshot GhostOfClient() => nodes[1].Snapshot().Procs.Single(p => p.Endpoint == client.Endpoint);
        IReadOnlyList<Endpoint> ServerQueue() => nodes[1].Snapshot().Procs.Single(p => p.Slot == 5).QueuedSenders;

        // A send queued on node 1 that times out on node 2 is taken out of the queue there: never delivered later.
        var sending = OnThread(() => client.Send(Endpoint.System(5), new Message(1), Abandon));
        await AwaitAssertAsync(() => Assert.Contains(client.Endpoint, ServerQueue()), Patience);
        Assert.Equal(IpcStatus.TimedOut, await sending.WaitAsync(Patience));
        await AwaitAssertAsync(() => Assert.Empty(ServerQueue()), Patience);
        Assert.Equal("RUNNING", GhostOfClient().State);
        Assert.Equal(IpcStatus.Again, server.Receive(Endpoint.Any, out _, TimeSpan.Zero));

        // A sendrec the server took, then abandoned: the server owes a reply, so a new sendrec is Busy until the
        // late reply has been discarded (the server's reply returns Ok and reaches nobody).
        var taking = OnThread(() => (server.RcvRqst(out var m, Patience), m));
        var first = OnThread(() => SendRec(client, 2, Abandon));
        var (took, request) = await taking.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, took);
        Assert.Equal((int)IpcStatus.TimedOut, await first.WaitAsync(Patience));
        await AwaitAssertAsync(() => Assert.Equal("RUNNING", GhostOfClient().State), Patience);    // withdrawn there
        Assert.Equal((int)IpcStatus.Busy, SendRec(client, 3, Patience));
        Assert.Equal(IpcStatus.Ok, server.Reply(request.Source, new Message(100)));
        var next = OnThread(() => SendRec(client, 4, Patience));
        Assert.Equal(IpcStatus.Ok, server.RcvRqst(out var again, Patience));
        Assert.Equal(IpcStatus.Ok, server.Reply(again.Source, new Message(400)));
        Assert.Equal(400, await next.WaitAsync(Patience));
    }

    // Long enough for a request to reach the other node and be taken even on a loaded machine.
    private static readonly TimeSpan Abandon = TimeSpan.FromSeconds(2);

    // A sendrec of type `type` to slot 5: the reply's type, or the failing status as an int.
    private static int SendRec(EndpointHandle client, int type, TimeSpan timeout)
    {
        var m = new Message(type);
        return client.SendRec(Endpoint.System(5), ref m, timeout) is var s && s == IpcStatus.Ok ? m.Type : (int)s;
    }

    private static Task<T> OnThread<T>(Func<T> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
