using Akka.Actor;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// Every primitive between two processes of one VM, with thread and actor endpoints as caller and as partner:
/// the child's endpoints are driven by <c>vm</c> commands, this process's by the public API.
/// </summary>
public sealed class SharedVmCallTests : SharedVmTest
{
    private const int Echo = 1;

    [Fact(Timeout = 60_000)]
    public async Task Thread_and_actor_servers_in_a_child_answer_threads_and_actors_here()
    {
        var child = await Shared.ChildAsync();
        var threadServer = SharedVm.EndpointIn(await child.ExpectAsync("vm server thread 3", "vm serving"));
        var actorServer = SharedVm.EndpointIn(await child.ExpectAsync("vm server actor 4", "vm serving"));
        using var client = Shared.Vm.Bind(owner: "thread client");
        var caller = Shared.Vm.ActorOf(Props.Create(() => new CallerActor(5)));

        foreach (var server in new[] { threadServer, actorServer })
        {
            for (var i = 0; i < 50; i++)
            {
                var m = Request(i);
                Assert.Equal(IpcStatus.Ok, client.SendRec(server, ref m, SharedVm.Patience));
                Assert.Equal(i + 1, m.GetInt(0));
            }
            for (var i = 0; i < 20; i++)
            {
                var call = new CallerActor.Call(server, i);
                caller.Tell(call);
                Assert.Equal((IpcStatus.Ok, i + 1), await call.Result.Task.WaitAsync(SharedVm.Patience));
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Thread_and_actor_servers_here_answer_a_thread_and_an_actor_in_a_child()
    {
        var child = await Shared.ChildAsync();
        using var threadServer = Shared.Vm.Bind(3, "thread server");
        var serving = Task.Factory.StartNew(() =>
        {
            var served = 0;
            while (threadServer.Receive(Endpoint.Any, out var m, SharedVm.Patience) == IpcStatus.Ok)
                if (threadServer.Reply(m.Source, Request(m.GetInt(0) + 1)) == IpcStatus.Ok) served++;
            return served;
        }, TaskCreationOptions.LongRunning);
        Shared.Vm.ActorOf(Props.Create(() => new EchoActor(4)));

        foreach (var server in new[] { threadServer.Endpoint, Endpoint.System(4) })
        {
            for (var i = 0; i < 20; i++)
                await child.ExpectAsync($"vm sendrec 20 {server.Value} {i} 10000", $"vm sendrec Ok {i + 1}");
            // An actor in the child as the caller (a fresh one per server, bound at its own slot).
            await child.ExpectAsync($"vm actorcall {21 + server.Slot} {server.Value} 100", "vm actorcall Ok 101");
        }
        threadServer.Dispose();
        Assert.Equal(21, await serving.WaitAsync(SharedVm.Patience));
    }

    [Fact(Timeout = 60_000)]
    public async Task Send_receive_sendnb_and_notify_cross_in_both_directions()
    {
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var here = Shared.Vm.Bind(owner: "here");

        // The child receives from ANY and blocks; a send here completes it.
        child.Send("vm receive 20 any 10000");
        await Shared.AwaitStateAsync(remote, "RECEIVING from");
        Assert.Equal(IpcStatus.Ok, here.Send(remote, Request(7), SharedVm.Patience));
        Assert.Equal($"vm receive Ok {here.Endpoint.Value} {Echo} 7", await child.NextReplyAsync());

        // Here receives from that one source; the child's send completes it, then sendnb finds nobody waiting.
        var receiving = Task.Factory.StartNew(() => (here.Receive(remote, out var m, SharedVm.Patience), m),
            TaskCreationOptions.LongRunning);
        await Shared.AwaitStateAsync(here.Endpoint, "RECEIVING from");
        await child.ExpectAsync($"vm send 20 {here.Endpoint.Value} 9 10000", "vm send Ok");
        var (status, message) = await receiving.WaitAsync(SharedVm.Patience);
        Assert.Equal((IpcStatus.Ok, remote, 9), (status, message.Source, message.Type));
        await child.ExpectAsync($"vm sendnb 20 {here.Endpoint.Value} 9", "vm sendnb NotReady");

        // A notification from the child waits as a pending bit and is taken by receive(ANY) here.
        await child.ExpectAsync($"vm notify 20 {here.Endpoint.Value}", "vm notify Ok");
        Assert.Equal(1, Shared.ProcOf(here.Endpoint)!.PendingNotifies);
        Assert.Equal(IpcStatus.Ok, here.Receive(Endpoint.Any, out var notification, SharedVm.Patience));
        Assert.True(notification.IsNotify);
        Assert.Equal(remote, notification.Source);

        // And the other way: a notify here completes the child's blocked receive at once.
        child.Send($"vm receive 20 {here.Endpoint.Value} 10000");
        await Shared.AwaitStateAsync(remote, "RECEIVING from");
        Assert.Equal(IpcStatus.Ok, here.Notify(remote));
        Assert.StartsWith($"vm receive Ok {here.Endpoint.Value} ", await child.NextReplyAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Rcvrqst_and_reply_serve_a_sendrec_from_the_other_process()
    {
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var server = Shared.Vm.Bind(owner: "server");

        child.Send($"vm sendrec 20 {server.Endpoint.Value} 40 10000");
        Assert.Equal(IpcStatus.Ok, server.RcvRqst(out var request, SharedVm.Patience));
        Assert.Equal((remote, 40), (request.Source, request.GetInt(0)));
        Assert.Equal(IpcStatus.Ok, server.Reply(remote, Request(41)));
        Assert.Equal("vm sendrec Ok 41", await child.NextReplyAsync());

        // The child serves with rcvrqst + reply.
        child.Send("vm rcvrqst 20 10000");
        await Shared.AwaitStateAsync(remote, "RECEIVING from");
        var call = Task.Factory.StartNew(() =>
        {
            var m = Request(1);
            return (server.SendRec(remote, ref m, SharedVm.Patience), m.GetInt(0));
        }, TaskCreationOptions.LongRunning);
        Assert.Equal($"vm rcvrqst Ok {server.Endpoint.Value} {Echo} 1", await child.NextReplyAsync());
        await child.ExpectAsync($"vm reply 20 {server.Endpoint.Value} 2", "vm reply Ok");
        Assert.Equal((IpcStatus.Ok, 2), await call.WaitAsync(SharedVm.Patience));
    }

    [Fact(Timeout = 60_000)]
    public async Task Timeouts_and_cancellation_on_a_partner_in_another_process_leave_no_trace()
    {
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var here = Shared.Vm.Bind(owner: "here");

        // Timed out here while queued on the child's endpoint: the queue over there is empty again.
        var m = Request(1);
        Assert.Equal(IpcStatus.TimedOut, here.SendRec(remote, ref m, TimeSpan.FromMilliseconds(100)));
        Assert.Empty(Shared.ProcOf(remote)!.QueuedSenders);

        // Cancelled here while queued: the same, and the endpoint can call again.
        using var cancel = new CancellationTokenSource();
        var pending = here.SendAsync(remote, Request(2), cancel.Token).AsTask();
        await Shared.AwaitStateAsync(here.Endpoint, "SENDING to");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(SharedVm.Patience));
        Assert.Empty(Shared.ProcOf(remote)!.QueuedSenders);

        // A timed receive in the child from here times out there, and a later send reaches a later receive.
        await child.ExpectAsync($"vm receive 20 {here.Endpoint.Value} 100", "vm receive TimedOut");
        child.Send($"vm receive 20 {here.Endpoint.Value} 10000");
        await Shared.AwaitStateAsync(remote, "RECEIVING from");
        Assert.Equal(IpcStatus.Ok, here.Send(remote, Request(3), SharedVm.Patience));
        Assert.Equal($"vm receive Ok {here.Endpoint.Value} {Echo} 3", await child.NextReplyAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_sendrec_cancelled_after_the_child_took_it_gets_no_late_reply()
    {
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var here = Shared.Vm.Bind(owner: "here");

        using var cancel = new CancellationTokenSource();
        var abandoned = here.SendRecAsync(remote, Request(1), cancel.Token).AsTask();
        await child.ExpectAsync("vm rcvrqst 20 10000", $"vm rcvrqst Ok {here.Endpoint.Value} {Echo} 1");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(SharedVm.Patience));

        // §12.1 across processes: the child's late reply is discarded (its reply succeeds), the next call gets its own.
        await child.ExpectAsync($"vm reply 20 {here.Endpoint.Value} 2", "vm reply Ok");
        var next = Task.Factory.StartNew(() =>
        {
            var m = Request(5);
            return (here.SendRec(remote, ref m, SharedVm.Patience), m.GetInt(0));
        }, TaskCreationOptions.LongRunning);
        await child.ExpectAsync("vm rcvrqst 20 10000", $"vm rcvrqst Ok {here.Endpoint.Value} {Echo} 5");
        await child.ExpectAsync($"vm reply 20 {here.Endpoint.Value} 6", "vm reply Ok");
        Assert.Equal((IpcStatus.Ok, 6), await next.WaitAsync(SharedVm.Patience));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unbind_in_one_process_releases_its_partners_in_the_other()
    {
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var here = Shared.Vm.Bind(owner: "here");

        var sending = Task.Factory.StartNew(() => here.Send(remote, Request(1), SharedVm.Patience),
            TaskCreationOptions.LongRunning);
        await Shared.AwaitStateAsync(here.Endpoint, "SENDING to");
        await child.ExpectAsync("vm unbind 20", "vm unbound");
        Assert.Equal(IpcStatus.DstDied, await sending.WaitAsync(SharedVm.Patience));
        Assert.Null(Shared.ProcOf(remote));

        var again = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 21", "vm bound"));
        child.Send($"vm receive 21 {here.Endpoint.Value} 10000");
        await Shared.AwaitStateAsync(again, "RECEIVING from");
        here.Dispose();
        Assert.StartsWith("vm receive SrcDied", await child.NextReplyAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Ending_the_vm_in_a_child_releases_its_partners_here_and_the_vm_goes_on()
    {
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm server thread 3", "vm serving"));
        var other = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var here = Shared.Vm.Bind(owner: "here");
        var sending = Task.Factory.StartNew(() => here.Send(other, new Message(9), SharedVm.Patience),
            TaskCreationOptions.LongRunning);
        await Shared.AwaitStateAsync(here.Endpoint, "SENDING to");

        await child.ExpectAsync("vm end", "vm ended");
        Assert.Equal(IpcStatus.DstDied, await sending.WaitAsync(SharedVm.Patience));
        Assert.Null(Shared.ProcOf(remote));
        Assert.True(Shared.Vm.IsRunning);

        // The VM goes on: another child binds the same system slot and serves.
        var next = await Shared.ChildAsync();
        Assert.Equal(remote, SharedVm.EndpointIn(await next.ExpectAsync("vm server thread 3", "vm serving")));
        var m = Request(1);
        Assert.Equal(IpcStatus.Ok, here.SendRec(remote, ref m, SharedVm.Patience));
        Assert.Equal(2, m.GetInt(0));
    }

    private static Message Request(int value)
    {
        var m = new Message(Echo);
        m.SetInt(0, value);
        return m;
    }

    /// <summary>Makes one sendrec per <see cref="Call"/> command and completes the command's result.</summary>
    private sealed class CallerActor(int slot) : EndpointActor(slot)
    {
        private Call? _current;

        public sealed record Call(Endpoint Server, int Value)
        {
            public TaskCompletionSource<(IpcStatus, int)> Result { get; } =
                new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        protected override void OnMessage(in Message m) => throw new InvalidOperationException("no requests expected");

        protected override void OnCommand(object message)
        {
            _current = (Call)message;
            var status = SendRec(_current.Server, Request(_current.Value));
            if (status != IpcStatus.Suspended) _current.Result.SetResult((status, -1));
        }

        protected override void OnReply(IpcStatus status, in Message reply) =>
            _current!.Result.SetResult((status, reply.GetInt(0)));
    }

    /// <summary>Answers every request with its int plus one.</summary>
    private sealed class EchoActor(int slot) : EndpointActor(slot)
    {
        protected override void OnMessage(in Message m) => Reply(m.Source, Request(m.GetInt(0) + 1));
    }
}
