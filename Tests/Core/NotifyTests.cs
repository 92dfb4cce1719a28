using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

public sealed class NotifyTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task Notify_never_blocks_and_reaches_a_waiting_receiver_with_a_timestamp()
    {
        using var n = Vm.Bind();
        using var r = Vm.Bind();
        var receiving = ReceiveOnThread(r, Endpoint.Any, Patience);
        await AwaitState(r.Endpoint, "RECEIVING from ANY");
        var before = DateTime.UtcNow;
        Assert.Equal(IpcStatus.Ok, n.Notify(r.Endpoint));
        var (status, m) = await receiving.WaitAsync(Patience);
        var after = DateTime.UtcNow;
        Assert.Equal(IpcStatus.Ok, status);
        Assert.True(m.IsNotify);
        Assert.Equal(Message.NotifyType, m.Type);
        Assert.Equal(n.Endpoint, m.Source);
        Assert.InRange(m.Timestamp, before, after);
        Assert.Equal(DateTimeKind.Utc, m.Timestamp.Kind);
        Assert.Equal(0, ProcOf(r.Endpoint)!.PendingNotifies);
    }

    [Fact]
    public void Notifies_before_the_receive_coalesce_into_one()
    {
        using var n = Vm.Bind();
        using var r = Vm.Bind();
        for (var i = 0; i < 3; i++) Assert.Equal(IpcStatus.Ok, n.Notify(r.Endpoint));     // never blocks
        Assert.Equal(1, ProcOf(r.Endpoint)!.PendingNotifies);
        var before = DateTime.UtcNow;
        Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out var m, TimeSpan.Zero));
        Assert.True(m.IsNotify);
        Assert.Equal(n.Endpoint, m.Source);
        Assert.True(m.Timestamp >= before.AddSeconds(-1) && m.Timestamp.Ticks > 0);
        Assert.Equal(IpcStatus.Again, r.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }

    [Fact]
    public void Pending_notifications_come_lowest_slot_first_and_match_the_source()
    {
        using var r = Vm.Bind();
        using var high = Vm.Bind(9);
        using var low = Vm.Bind(4);
        Assert.Equal(IpcStatus.Ok, high.Notify(r.Endpoint));
        Assert.Equal(IpcStatus.Ok, low.Notify(r.Endpoint));
        Assert.Equal(2, ProcOf(r.Endpoint)!.PendingNotifies);
        Assert.Equal(IpcStatus.Ok, r.Receive(high.Endpoint, out var m, TimeSpan.Zero));     // a named source takes only its own
        Assert.Equal(high.Endpoint, m.Source);
        Assert.Equal(IpcStatus.Ok, high.Notify(r.Endpoint));
        Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out m, TimeSpan.Zero));
        Assert.Equal(low.Endpoint, m.Source);
        Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out m, TimeSpan.Zero));
        Assert.Equal(high.Endpoint, m.Source);
        Assert.Equal(IpcStatus.Again, r.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }

    [Fact(Timeout = 20_000)]
    public async Task Pending_notifications_are_delivered_before_queued_senders()
    {
        using var r = Vm.Bind();
        using var s = Vm.Bind(2);       // the sender has the lower slot: order is by kind first
        using var n = Vm.Bind(8);
        var sending = OnThread(() => s.Send(r.Endpoint, Msg(1), Patience));
        await AwaitQueue(r.Endpoint, s.Endpoint);
        Assert.Equal(IpcStatus.Ok, n.Notify(r.Endpoint));
        Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out var m, Patience));
        Assert.True(m.IsNotify);
        Assert.Equal(n.Endpoint, m.Source);
        Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out m, Patience));
        Assert.Equal((1, s.Endpoint), (m.Type, m.Source));
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_sendrec_caller_is_not_interrupted_by_notifications()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        using var other = Vm.Bind();
        var calling = SendRecOnThread(client, server.Endpoint, Msg(10), Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out _, Patience));
        await AwaitState(client.Endpoint, $"SENDREC waiting for {server.Endpoint}");
        Assert.Equal(IpcStatus.Ok, other.Notify(client.Endpoint));
        Assert.Equal(IpcStatus.Ok, server.Notify(client.Endpoint));        // not even from the server it waits for
        Assert.Equal(IpcStatus.NotReady, other.SendNb(client.Endpoint, Msg(99)));
        await AwaitState(client.Endpoint, "SENDREC waiting for");
        Assert.Equal(2, ProcOf(client.Endpoint)!.PendingNotifies);
        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, Msg(11)));
        var (status, reply) = await calling.WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 11, false), (status, reply.Type, reply.IsNotify));
        var sources = new List<Endpoint>();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(IpcStatus.Ok, client.Receive(Endpoint.Any, out var m, TimeSpan.Zero));
            Assert.True(m.IsNotify);
            sources.Add(m.Source);
        }
        Assert.Equal(new[] { server.Endpoint, other.Endpoint }.OrderBy(e => e.Slot), sources);
        Assert.Equal(IpcStatus.Again, client.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_sendrec_caller_gets_its_reply_first_and_the_notification_after()
    {
        using var server = Vm.Bind();
        using var notifier = Vm.Bind();
        var (actor, ep) = Script();
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSendRec(server.Endpoint, Msg(1))));
        Assert.Equal(IpcStatus.Ok, server.Receive(ep, out _, Patience));
        await AwaitState(ep, "SENDREC waiting for");
        Assert.Equal(IpcStatus.Ok, notifier.Notify(ep));
        Assert.Equal(IpcStatus.Ok, server.Reply(ep, Msg(2)));
        var replied = ExpectMsg<ScriptActor.Replied>(Patience);
        Assert.Equal((IpcStatus.Ok, 2, false), (replied.Status, replied.Message.Type, replied.Message.IsNotify));
        var got = ExpectMsg<ScriptActor.Got>(Patience);
        Assert.True(got.Message.IsNotify);
        Assert.Equal(notifier.Endpoint, got.Message.Source);
    }

    [Fact]
    public void Actor_notify_and_idle_actor_receives_it()
    {
        using var r = Vm.Bind();
        var (a, aEp) = Script(name: "a");
        var (_, bEp) = Script(name: "b");
        Assert.Equal(IpcStatus.Ok, Do(a, new ScriptActor.DoNotify(bEp)));
        var got = ExpectMsg<ScriptActor.Got>(Patience);
        Assert.Equal((bEp, aEp, true), (got.By, got.Message.Source, got.Message.IsNotify));
        Assert.Equal(IpcStatus.Ok, Do(a, new ScriptActor.DoNotify(r.Endpoint)));
        Assert.Equal(IpcStatus.Ok, Do(a, new ScriptActor.DoNotify(r.Endpoint)));
        Assert.Equal(IpcStatus.Ok, r.Receive(aEp, out var m, TimeSpan.Zero));
        Assert.True(m.IsNotify);
        Assert.Equal(IpcStatus.Again, r.Receive(aEp, out _, TimeSpan.Zero));
    }

    [Fact]
    public void Pending_bits_of_an_endpoint_that_ends_are_cleared()
    {
        using var r = Vm.Bind();
        var n = Vm.Bind();
        Assert.Equal(IpcStatus.Ok, n.Notify(r.Endpoint));
        Assert.Equal(1, ProcOf(r.Endpoint)!.PendingNotifies);
        n.Dispose();
        Assert.Equal(0, ProcOf(r.Endpoint)!.PendingNotifies);
        Assert.Equal(IpcStatus.Again, r.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }
}
