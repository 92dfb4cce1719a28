using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>send / receive / sendnb / sendrec / rcvrqst / reply, with thread and actor endpoints in both roles.</summary>
public sealed class PrimitiveTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task Thread_to_thread_send_blocks_until_received()
    {
        using var s = Vm.Bind();
        using var r = Vm.Bind();
        var sending = OnThread(() => s.Send(r.Endpoint, Msg(7, 70), Patience));
        await AwaitState(s.Endpoint, $"SENDING to {r.Endpoint}");
        await AwaitQueue(r.Endpoint, s.Endpoint);
        Assert.False(sending.IsCompleted);
        Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out var m, Patience));
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
        Assert.Equal((7, 70, s.Endpoint), (m.Type, m.GetInt(0), m.Source));
        AssertNoTrace(s.Endpoint);
    }

    [Fact(Timeout = 20_000)]
    public async Task Send_to_a_waiting_receiver_returns_at_once()
    {
        using var s = Vm.Bind();
        using var r = Vm.Bind();
        var receiving = ReceiveOnThread(r, s.Endpoint, Patience);
        await AwaitState(r.Endpoint, $"RECEIVING from {s.Endpoint}");
        Assert.Equal(IpcStatus.Ok, s.Send(r.Endpoint, Msg(3), TimeSpan.Zero));     // timeout 0: it never had to wait
        Assert.Equal(3, (await receiving.WaitAsync(Patience)).Message.Type);
    }

    [Fact(Timeout = 20_000)]
    public async Task Thread_to_actor_send_blocks_while_the_actor_is_blocked()
    {
        using var holder = Vm.Bind();
        using var s = Vm.Bind();
        var (actor, ep) = Script();
        // Block the actor in its own sendrec to a thread that has not answered yet.
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSendRec(holder.Endpoint, Msg(1))));
        Assert.Equal(IpcStatus.Ok, holder.Receive(ep, out _, Patience));
        await AwaitState(ep, $"SENDREC waiting for {holder.Endpoint}");
        var sending = OnThread(() => s.Send(ep, Msg(42), Patience));
        await AwaitState(s.Endpoint, $"SENDING to {ep}");
        Assert.False(sending.IsCompleted);
        Assert.Equal(IpcStatus.Ok, holder.Reply(ep, Msg(2)));
        Assert.Equal(IpcStatus.Ok, ExpectMsg<ScriptActor.Replied>(Patience).Status);
        var got = ExpectMsg<ScriptActor.Got>(Patience);         // back in its implicit receive, it takes the sender
        Assert.Equal((42, s.Endpoint), (got.Message.Type, got.Message.Source));
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_to_thread_send_blocks_until_received()
    {
        using var r = Vm.Bind();
        var (actor, ep) = Script();
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSend(r.Endpoint, Msg(9))));
        await AwaitState(ep, $"SENDING to {r.Endpoint}");    // blocked in the kernel: no outcome can be on its way
        Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out var m, Patience));
        Assert.Equal((9, ep), (m.Type, m.Source));
        Assert.Equal(IpcStatus.Ok, ExpectMsg<ScriptActor.SendDone>(Patience).Status);
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_to_actor_send_blocks_until_the_receiver_takes_it()
    {
        using var holder = Vm.Bind();
        var (a, aEp) = Script(name: "a");
        var (b, bEp) = Script(name: "b");
        Assert.Equal(IpcStatus.Suspended, Do(b, new ScriptActor.DoSendRec(holder.Endpoint, Msg(1))));
        Assert.Equal(IpcStatus.Ok, holder.Receive(bEp, out _, Patience));
        await AwaitState(bEp, "SENDREC waiting for");
        Assert.Equal(IpcStatus.Suspended, Do(a, new ScriptActor.DoSend(bEp, Msg(55))));
        await AwaitState(aEp, $"SENDING to {bEp}");
        await AwaitQueue(bEp, aEp);
        Assert.Equal(IpcStatus.Ok, holder.Reply(bEp, Msg(2)));
        var events = new List<object> { ExpectMsg<object>(Patience), ExpectMsg<object>(Patience), ExpectMsg<object>(Patience) };
        Assert.Contains(events, e => e is ScriptActor.Replied { Status: IpcStatus.Ok } r && r.By == bEp);
        Assert.Contains(events, e => e is ScriptActor.Got g && g.By == bEp && g.Message.Type == 55 && g.Message.Source == aEp);
        Assert.Contains(events, e => e is ScriptActor.SendDone { Status: IpcStatus.Ok } d && d.By == aEp);
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_to_idle_actor_send_is_delivered_at_once()
    {
        var (a, aEp) = Script(name: "a");
        var (_, bEp) = Script(name: "b");
        await AwaitState(bEp, "RECEIVING from ANY (idle)");
        Assert.Equal(IpcStatus.Ok, Do(a, new ScriptActor.DoSend(bEp, Msg(5))));
        var got = ExpectMsg<ScriptActor.Got>(Patience);
        Assert.Equal((bEp, 5, aEp), (got.By, got.Message.Type, got.Message.Source));
    }

    [Fact(Timeout = 20_000)]
    public async Task Receive_from_one_source_leaves_other_senders_queued()
    {
        using var r = Vm.Bind();
        using var s1 = Vm.Bind();
        using var s2 = Vm.Bind();
        var first = OnThread(() => s1.Send(r.Endpoint, Msg(1), Patience));
        await AwaitQueue(r.Endpoint, s1.Endpoint);
        var second = OnThread(() => s2.Send(r.Endpoint, Msg(2), Patience));
        await AwaitQueue(r.Endpoint, s1.Endpoint, s2.Endpoint);
        Assert.Equal(IpcStatus.Ok, r.Receive(s2.Endpoint, out var m, Patience));
        Assert.Equal(2, m.Type);
        Assert.Equal(IpcStatus.Ok, await second.WaitAsync(Patience));
        Assert.Equal([s1.Endpoint], ProcOf(r.Endpoint)!.QueuedSenders);
        Assert.False(first.IsCompleted);
        Assert.Equal(IpcStatus.Again, r.Receive(s2.Endpoint, out _, TimeSpan.Zero));
        Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out m, Patience));
        Assert.Equal(1, m.Type);
        Assert.Equal(IpcStatus.Ok, await first.WaitAsync(Patience));
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_receive_from_one_source_leaves_other_senders_queued()
    {
        using var s1 = Vm.Bind();
        using var s2 = Vm.Bind();
        var (actor, ep) = Script();
        Assert.Equal(IpcStatus.Ok, Do(actor, new ScriptActor.DoReceiveFrom(s2.Endpoint)));
        await AwaitState(ep, $"RECEIVING from {s2.Endpoint} (idle)");
        var first = OnThread(() => s1.Send(ep, Msg(1), Patience));
        await AwaitQueue(ep, s1.Endpoint);
        Assert.Equal(IpcStatus.Ok, s2.Send(ep, Msg(2), Patience));
        Assert.Equal(2, ExpectMsg<ScriptActor.Got>(Patience).Message.Type);
        Assert.Equal(1, ExpectMsg<ScriptActor.Got>(Patience).Message.Type);     // back to ANY after one delivery
        Assert.Equal(IpcStatus.Ok, await first.WaitAsync(Patience));
    }

    [Fact(Timeout = 30_000)]
    public async Task Queued_senders_are_served_in_fifo_order()
    {
        using var r = Vm.Bind();
        var senders = Enumerable.Range(0, 5).Select(_ => Vm.Bind()).ToList();
        try
        {
            var sends = new List<Task<IpcStatus>>();
            for (var i = 0; i < senders.Count; i++)
            {
                var (s, type) = (senders[i], 100 + i);
                sends.Add(OnThread(() => s.Send(r.Endpoint, Msg(type), Patience)));
                await AwaitQueue(r.Endpoint, senders.Take(i + 1).Select(x => x.Endpoint).ToArray());
            }
            for (var i = 0; i < senders.Count; i++)
            {
                Assert.Equal(IpcStatus.Ok, r.Receive(Endpoint.Any, out var m, Patience));
                Assert.Equal((100 + i, senders[i].Endpoint), (m.Type, m.Source));
            }
            Assert.All(await Task.WhenAll(sends).WaitAsync(Patience), s => Assert.Equal(IpcStatus.Ok, s));
        }
        finally
        {
            foreach (var s in senders) s.Dispose();
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task SendNb_is_NotReady_unless_the_receiver_waits_for_us()
    {
        using var s = Vm.Bind();
        using var r = Vm.Bind();
        using var other = Vm.Bind();
        Assert.Equal(IpcStatus.NotReady, s.SendNb(r.Endpoint, Msg(1)));
        var receiving = ReceiveOnThread(r, other.Endpoint, Patience);
        await AwaitState(r.Endpoint, "RECEIVING from");
        Assert.Equal(IpcStatus.NotReady, s.SendNb(r.Endpoint, Msg(1)));        // waiting, but not for us
        Assert.Empty(ProcOf(r.Endpoint)!.QueuedSenders);
        Assert.Equal(IpcStatus.Ok, other.SendNb(r.Endpoint, Msg(2)));
        Assert.Equal(2, (await receiving.WaitAsync(Patience)).Message.Type);
        var (actor, ep) = Script();
        await AwaitState(ep, "RECEIVING from ANY (idle)");
        Assert.Equal(IpcStatus.Ok, s.SendNb(ep, Msg(3)));
        Assert.Equal(3, ExpectMsg<ScriptActor.Got>(Patience).Message.Type);
        Assert.Equal(IpcStatus.NotReady, Do(actor, new ScriptActor.DoSendNb(r.Endpoint, Msg(4))));
    }

    [Fact(Timeout = 20_000)]
    public async Task Thread_to_thread_sendrec()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        var calling = SendRecOnThread(client, server.Endpoint, Msg(10, 1), Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var request, Patience));
        await AwaitState(client.Endpoint, $"SENDREC waiting for {server.Endpoint}");
        var reply = request;
        reply.Type = 11;
        Assert.Equal(IpcStatus.Ok, server.Reply(request.Source, in reply));
        var (status, got) = await calling.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, status);
        Assert.Equal((11, 1, server.Endpoint), (got.Type, got.GetInt(0), got.Source));
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_to_thread_sendrec()
    {
        using var server = Vm.Bind();
        var (actor, ep) = Script();
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSendRec(server.Endpoint, Msg(20))));
        Assert.Equal(IpcStatus.Ok, server.RcvRqst(out var request, Patience));
        Assert.Equal((20, ep), (request.Type, request.Source));
        await AwaitState(ep, $"SENDREC waiting for {server.Endpoint}");
        Assert.Equal(IpcStatus.Ok, server.Reply(ep, Msg(21)));
        var replied = ExpectMsg<ScriptActor.Replied>(Patience);
        Assert.Equal((IpcStatus.Ok, 21, server.Endpoint), (replied.Status, replied.Message.Type, replied.Message.Source));
    }

    [Fact]
    public void Actor_to_actor_sendrec()
    {
        var (_, serverEp) = Script(echo: true, name: "server");
        var (client, clientEp) = Script(name: "client");
        Assert.Equal(IpcStatus.Suspended, Do(client, new ScriptActor.DoSendRec(serverEp, Msg(30))));
        var got = ExpectMsg<ScriptActor.Got>(Patience);
        Assert.Equal((serverEp, clientEp), (got.By, got.Message.Source));
        var replied = ExpectMsg<ScriptActor.Replied>(Patience);
        Assert.Equal((IpcStatus.Ok, 31, serverEp), (replied.Status, replied.Message.Type, replied.Message.Source));
    }

    [Fact(Timeout = 20_000)]
    public async Task Async_sendrec_to_actor_server()
    {
        var (_, serverEp) = Script(echo: true, name: "server");
        using var client = Vm.Bind();
        var result = await client.SendRecAsync(serverEp, Msg(40, 4)).AsTask().WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 41, 4), (result.Status, result.Message.Type, result.Message.GetInt(0)));
        ExpectMsg<ScriptActor.Got>(Patience);
    }

    [Fact(Timeout = 20_000)]
    public async Task RcvRqst_ignores_plain_senders()
    {
        using var server = Vm.Bind();
        using var plain = Vm.Bind();
        using var client = Vm.Bind();
        var sending = OnThread(() => plain.Send(server.Endpoint, Msg(1), Patience));
        await AwaitQueue(server.Endpoint, plain.Endpoint);
        Assert.Equal(IpcStatus.Again, server.RcvRqst(out _, TimeSpan.Zero));
        var calling = SendRecOnThread(client, server.Endpoint, Msg(2), Patience);
        await AwaitQueue(server.Endpoint, plain.Endpoint, client.Endpoint);
        Assert.Equal(IpcStatus.Ok, server.RcvRqst(out var request, Patience));
        Assert.Equal((2, client.Endpoint), (request.Type, request.Source));
        Assert.Equal([plain.Endpoint], ProcOf(server.Endpoint)!.QueuedSenders);
        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, Msg(3)));
        Assert.Equal(3, (await calling.WaitAsync(Patience)).Message.Type);
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var m, Patience));
        Assert.Equal(1, m.Type);
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
    }

    [Fact(Timeout = 20_000)]
    public async Task Blocked_rcvrqst_is_not_woken_by_a_plain_send()
    {
        using var server = Vm.Bind();
        using var plain = Vm.Bind();
        using var client = Vm.Bind();
        var serving = OnThread(() => (server.RcvRqst(out var m, Patience), m));
        await AwaitState(server.Endpoint, "RECEIVING from ANY");
        Assert.Equal(IpcStatus.NotReady, plain.SendNb(server.Endpoint, Msg(1)));
        var calling = SendRecOnThread(client, server.Endpoint, Msg(2), Patience);
        var (status, request) = await serving.WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 2), (status, request.Type));
        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, Msg(3)));
        Assert.Equal(IpcStatus.Ok, (await calling.WaitAsync(Patience)).Status);
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_rcvrqst_ignores_plain_senders()
    {
        using var plain = Vm.Bind();
        using var client = Vm.Bind();
        var (actor, ep) = Script(echo: true);
        Assert.Equal(IpcStatus.Ok, Do(actor, new ScriptActor.DoRequestsOnly()));
        await AwaitState(ep, "RECEIVING from ANY (idle)");
        var sending = OnThread(() => plain.Send(ep, Msg(1), Patience));
        await AwaitQueue(ep, plain.Endpoint);
        var reply = await client.SendRecAsync(ep, Msg(10)).AsTask().WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 11), (reply.Status, reply.Message.Type));
        var first = ExpectMsg<ScriptActor.Got>(Patience);
        Assert.Equal(client.Endpoint, first.Message.Source);
        Assert.Equal(plain.Endpoint, ExpectMsg<ScriptActor.Got>(Patience).Message.Source);
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
    }

    [Fact]
    public void Timeout_zero_is_Again()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        Assert.Equal(IpcStatus.Again, a.Send(b.Endpoint, Msg(1), TimeSpan.Zero));
        Assert.Equal(IpcStatus.Again, a.Receive(Endpoint.Any, out _, TimeSpan.Zero));
        Assert.Equal(IpcStatus.Again, a.Receive(b.Endpoint, out _, TimeSpan.Zero));
        Assert.Equal(IpcStatus.Again, a.RcvRqst(out _, TimeSpan.Zero));
        var m = Msg(1);
        Assert.Equal(IpcStatus.Again, a.SendRec(b.Endpoint, ref m, TimeSpan.Zero));
        AssertNoTrace(a.Endpoint);
        Assert.Empty(ProcOf(b.Endpoint)!.QueuedSenders);
    }

    [Fact(Timeout = 20_000)]
    public async Task Short_timeouts_are_TimedOut_and_leave_no_trace()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var shortly = TimeSpan.FromMilliseconds(50);
        Assert.Equal(IpcStatus.TimedOut, a.Send(b.Endpoint, Msg(1), shortly));
        AssertNoTrace(a.Endpoint);
        Assert.Empty(ProcOf(b.Endpoint)!.QueuedSenders);
        Assert.Equal(IpcStatus.Again, b.Receive(Endpoint.Any, out _, TimeSpan.Zero));     // the message is gone too
        var m = Msg(1);
        Assert.Equal(IpcStatus.TimedOut, a.SendRec(b.Endpoint, ref m, shortly));
        AssertNoTrace(a.Endpoint);
        Assert.Equal(IpcStatus.Again, b.Receive(Endpoint.Any, out _, TimeSpan.Zero));
        Assert.Equal(IpcStatus.TimedOut, a.Receive(b.Endpoint, out _, shortly));
        AssertNoTrace(a.Endpoint);
        Assert.Equal(IpcStatus.NotReady, b.SendNb(a.Endpoint, Msg(2)));     // a no longer waits
        // sendrec timing out in its reply half: the server got the request; its late reply is discarded (§12.1).
        var calling = SendRecOnThread(a, b.Endpoint, Msg(3), TimeSpan.FromMilliseconds(300));
        Assert.Equal(IpcStatus.Ok, b.Receive(Endpoint.Any, out var request, Patience));
        Assert.Equal(IpcStatus.TimedOut, (await calling.WaitAsync(Patience)).Status);
        AssertNoTrace(a.Endpoint);
        Assert.Equal(IpcStatus.Ok, b.Reply(request.Source, Msg(4)));
        Assert.Equal(IpcStatus.ProcState, b.Reply(request.Source, Msg(5)));     // only one reply was owed
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_timed_sendrec_is_TimedOut_and_leaves_no_trace()
    {
        using var silent = Vm.Bind();
        var (actor, ep) = Script();
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSendRec(silent.Endpoint, Msg(1), TimeSpan.FromMilliseconds(50))));
        Assert.Equal(IpcStatus.TimedOut, ExpectMsg<ScriptActor.Replied>(Patience).Status);
        await AwaitState(ep, "RECEIVING from ANY (idle)");
        Assert.Empty(ProcOf(silent.Endpoint)!.QueuedSenders);
        Assert.Equal(IpcStatus.Again, silent.Receive(Endpoint.Any, out _, TimeSpan.Zero));
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSend(silent.Endpoint, Msg(1), TimeSpan.FromMilliseconds(50))));
        Assert.Equal(IpcStatus.TimedOut, ExpectMsg<ScriptActor.SendDone>(Patience).Status);
        Assert.Equal(IpcStatus.Again, silent.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }

    [Fact(Timeout = 20_000)]
    public async Task Async_cancellation_throws_and_leaves_no_trace()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        using (var cts = new CancellationTokenSource())
        {
            var receiving = a.ReceiveAsync(Endpoint.Any, cts.Token).AsTask();
            await AwaitState(a.Endpoint, "RECEIVING from ANY");
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving.WaitAsync(Patience));
            AssertNoTrace(a.Endpoint);
            Assert.Equal(IpcStatus.NotReady, b.SendNb(a.Endpoint, Msg(1)));
        }
        using (var cts = new CancellationTokenSource())
        {
            var sending = a.SendAsync(b.Endpoint, Msg(2), cts.Token).AsTask();
            await AwaitQueue(b.Endpoint, a.Endpoint);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(Patience));
            AssertNoTrace(a.Endpoint);
            Assert.Equal(IpcStatus.Again, b.Receive(Endpoint.Any, out _, TimeSpan.Zero));
        }
        using (var cts = new CancellationTokenSource())
        {
            var calling = a.SendRecAsync(b.Endpoint, Msg(3), cts.Token).AsTask();
            Assert.Equal(IpcStatus.Ok, b.Receive(Endpoint.Any, out _, Patience));
            await AwaitState(a.Endpoint, "SENDREC waiting for");
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => calling.WaitAsync(Patience));
            AssertNoTrace(a.Endpoint);
            Assert.Equal(IpcStatus.Ok, b.Reply(a.Endpoint, Msg(4)));      // the late reply, discarded (§12.1)
        }
        // The handle is usable again after a cancelled call.
        var again = b.SendAsync(a.Endpoint, Msg(5)).AsTask();
        var result = await a.ReceiveAsync(b.Endpoint).AsTask().WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 5), (result.Status, result.Message.Type));
        Assert.Equal(IpcStatus.Ok, await again.WaitAsync(Patience));
    }

    [Fact(Timeout = 20_000)]
    public async Task Already_cancelled_token_throws_and_leaves_no_trace()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var receiving = a.ReceiveAsync(Endpoint.Any, new CancellationToken(true)).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving.WaitAsync(Patience));
        AssertNoTrace(a.Endpoint);
        Assert.Equal(IpcStatus.NotReady, b.SendNb(a.Endpoint, Msg(1)));
    }
}
