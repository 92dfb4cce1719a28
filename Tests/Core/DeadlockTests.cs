using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

public sealed class DeadlockTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task Cycle_of_two_sendrec_is_Locked_and_nobody_hangs()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var first = SendRecOnThread(b, a.Endpoint, Msg(1), Patience);
        await AwaitState(b.Endpoint, $"SENDREC sending to {a.Endpoint}");
        var m = Msg(2);
        Assert.Equal(IpcStatus.Locked, a.SendRec(b.Endpoint, ref m, Patience));
        Assert.Equal(IpcStatus.Locked, a.Send(b.Endpoint, Msg(3), Patience));
        AssertNoTrace(a.Endpoint);      // nothing changed
        Assert.Empty(ProcOf(b.Endpoint)!.QueuedSenders);
        // b's call is still intact and completes normally.
        Assert.Equal(IpcStatus.Ok, a.Receive(b.Endpoint, out var request, Patience));
        Assert.Equal(IpcStatus.Ok, a.Reply(b.Endpoint, Msg(request.Type + 1)));
        Assert.Equal((IpcStatus.Ok, 2), ((await first.WaitAsync(Patience)).Status, (await first).Message.Type));
    }

    [Fact(Timeout = 20_000)]
    public async Task Cycle_of_three_is_Locked()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        using var c = Vm.Bind();
        var ab = SendRecOnThread(a, b.Endpoint, Msg(1), Patience);
        await AwaitState(a.Endpoint, $"SENDREC sending to {b.Endpoint}");
        var bc = SendRecOnThread(b, c.Endpoint, Msg(2), Patience);
        await AwaitState(b.Endpoint, $"SENDREC sending to {c.Endpoint}");
        var m = Msg(3);
        Assert.Equal(IpcStatus.Locked, c.SendRec(a.Endpoint, ref m, Patience));
        Assert.Equal(IpcStatus.Locked, c.Receive(a.Endpoint, out _, Patience));      // receiving from a closes it too
        AssertNoTrace(c.Endpoint);
        // Unwind: c serves b, b serves a.
        Assert.Equal(IpcStatus.Ok, c.Receive(Endpoint.Any, out _, Patience));
        Assert.Equal(IpcStatus.Ok, c.Reply(b.Endpoint, Msg(20)));
        Assert.Equal(IpcStatus.Ok, (await bc.WaitAsync(Patience)).Status);
        Assert.Equal(IpcStatus.Ok, b.Receive(Endpoint.Any, out _, Patience));
        Assert.Equal(IpcStatus.Ok, b.Reply(a.Endpoint, Msg(10)));
        Assert.Equal(IpcStatus.Ok, (await ab.WaitAsync(Patience)).Status);
    }

    [Fact(Timeout = 20_000)]
    public async Task Cycle_through_an_actor_is_Locked()
    {
        using var t = Vm.Bind();
        var (actor, ep) = Script();
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSendRec(t.Endpoint, Msg(1))));
        await AwaitState(ep, $"SENDREC sending to {t.Endpoint}");
        var m = Msg(2);
        Assert.Equal(IpcStatus.Locked, t.SendRec(ep, ref m, Patience));
        Assert.Equal(IpcStatus.Locked, t.Send(ep, Msg(3), Patience));
        Assert.Equal(IpcStatus.Ok, t.Receive(ep, out _, Patience));
        Assert.Equal(IpcStatus.Ok, t.Reply(ep, Msg(4)));
        Assert.Equal(IpcStatus.Ok, ExpectMsg<ScriptActor.Replied>(Patience).Status);
    }

    [Fact(Timeout = 20_000)]
    public async Task Cycle_of_three_actors_is_Locked()
    {
        var (a, aEp) = Script(name: "a");
        var (b, bEp) = Script(name: "b");
        var (c, cEp) = Script(name: "c");
        using var holder = Vm.Bind();
        // Make b and c non-receiving: each blocked in a sendrec further down the cycle.
        Assert.Equal(IpcStatus.Ok, Do(c, new ScriptActor.DoReceiveFrom(holder.Endpoint)));
        Assert.Equal(IpcStatus.Ok, Do(b, new ScriptActor.DoReceiveFrom(holder.Endpoint)));
        Assert.Equal(IpcStatus.Ok, Do(a, new ScriptActor.DoReceiveFrom(holder.Endpoint)));
        await AwaitState(aEp, $"RECEIVING from {holder.Endpoint}");
        // a receives from holder only; b sendrecs a (queued), c sendrecs b (queued), a sendrecs c → a→c→b→a.
        // (Each command first withdraws the idle receive, then the call blocks as SENDING.)
        Assert.Equal(IpcStatus.Suspended, Do(b, new ScriptActor.DoSendRec(aEp, Msg(1))));
        await AwaitState(bEp, $"SENDREC sending to {aEp}");
        Assert.Equal(IpcStatus.Suspended, Do(c, new ScriptActor.DoSendRec(bEp, Msg(2))));
        await AwaitState(cEp, $"SENDREC sending to {bEp}");
        Assert.Equal(IpcStatus.Locked, Do(a, new ScriptActor.DoSendRec(cEp, Msg(3))));
    }

    [Fact(Timeout = 20_000)]
    public async Task Request_and_reply_is_not_a_deadlock()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        // The client waits (reply-pending) on the server; the server sends back with a plain blocking send.
        var calling = SendRecOnThread(client, server.Endpoint, Msg(1), Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(client.Endpoint, out _, Patience));
        await AwaitState(client.Endpoint, "SENDREC waiting for");
        Assert.Equal(IpcStatus.Ok, server.Send(client.Endpoint, Msg(2), Patience));
        Assert.Equal(2, (await calling.WaitAsync(Patience)).Message.Type);
        // A sender blocked on a receiver that then receives from it.
        var sending = OnThread(() => client.Send(server.Endpoint, Msg(3), Patience));
        await AwaitState(client.Endpoint, "SENDING to");
        Assert.Equal(IpcStatus.Ok, server.Receive(client.Endpoint, out var m, Patience));
        Assert.Equal(3, m.Type);
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
        // A receiver blocked on a source that then sends to it.
        var receiving = ReceiveOnThread(server, client.Endpoint, Patience);
        await AwaitState(server.Endpoint, $"RECEIVING from {client.Endpoint}");
        Assert.Equal(IpcStatus.Ok, client.Send(server.Endpoint, Msg(4), Patience));
        Assert.Equal(4, (await receiving.WaitAsync(Patience)).Message.Type);
    }
}
