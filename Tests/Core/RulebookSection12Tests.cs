using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// The kernel's part of rulebook §12: late replies to abandoned sendrecs (12.1), sendrec without waiting (12.2),
/// one status for every call blocked at VM end (12.5), NOTIFY reserved (12.7), and an accurate LastError.
/// </summary>
public sealed class RulebookSection12Tests(ITestOutputHelper output) : IpcTestKit(output)
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Fact(Timeout = 30_000)]
    public async Task A_late_reply_to_a_timed_out_sendrec_never_completes_the_next_one()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        await AbandonTakenSendRec(client, server, timeout: true);

        var second = Msg(2);
        Assert.Equal(IpcStatus.Busy, client.SendRec(server.Endpoint, ref second, Patience));
        Assert.Contains("owes the reply", client.LastError);

        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, Msg(100, 1)));     // the late reply: discarded
        var calling = SendRecOnThread(client, server.Endpoint, Msg(2), Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(client.Endpoint, out var request, Patience));
        Assert.Equal(2, request.Type);
        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, Msg(200, 2)));
        var (status, reply) = await calling.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, status);
        Assert.Equal(200, reply.Type);
        AssertNoTrace(client.Endpoint);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_late_reply_to_a_cancelled_async_sendrec_is_discarded_when_sent_with_send()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        await AbandonTakenSendRec(client, server, timeout: false);

        // A plain send from the server is the late reply too: it returns Ok at once and the client sees nothing.
        Assert.Equal(IpcStatus.Ok, server.Send(client.Endpoint, Msg(100), Patience));
        Assert.Equal(IpcStatus.Again, client.Receive(server.Endpoint, out _, TimeSpan.Zero));
        // Only the first message is the late one: the next is delivered.
        var receiving = ReceiveOnThread(client, server.Endpoint, Patience);
        Assert.Equal(IpcStatus.Ok, server.Send(client.Endpoint, Msg(101), Patience));
        Assert.Equal(101, (await receiving.WaitAsync(Patience)).Message.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_ends_drops_the_debt_and_its_successor_serves_the_caller()
    {
        using var client = Vm.Bind();
        var server = Vm.Bind(slot: 5);
        await AbandonTakenSendRec(client, server, timeout: true);
        server.Dispose();

        using var successor = Vm.Bind(slot: 5);
        Assert.Equal(server.Endpoint, successor.Endpoint);       // a system slot keeps its endpoint
        var calling = SendRecOnThread(client, successor.Endpoint, Msg(3), Patience);
        Assert.Equal(IpcStatus.Ok, successor.Receive(Endpoint.Any, out var request, Patience));
        Assert.Equal(3, request.Type);
        Assert.Equal(IpcStatus.Ok, successor.Reply(client.Endpoint, Msg(300)));
        Assert.Equal(300, (await calling.WaitAsync(Patience)).Message.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_sendrec_that_timed_out_while_still_queued_leaves_no_debt()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        var first = Msg(1);
        Assert.Equal(IpcStatus.TimedOut, client.SendRec(server.Endpoint, ref first, Short));
        AssertNoTrace(client.Endpoint);

        var calling = SendRecOnThread(client, server.Endpoint, Msg(2), Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var request, Patience));
        Assert.Equal(2, request.Type);
        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, Msg(200)));
        Assert.Equal(200, (await calling.WaitAsync(Patience)).Message.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task Sendrec_with_timeout_zero_returns_Again_and_sends_nothing()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        var receiving = ReceiveOnThread(server, Endpoint.Any, Patience);
        await AwaitState(server.Endpoint, "RECEIVING");

        var m = Msg(1);
        Assert.Equal(IpcStatus.Again, client.SendRec(server.Endpoint, ref m, TimeSpan.Zero));
        AssertNoTrace(client.Endpoint);
        Assert.False(receiving.IsCompleted);
        Assert.StartsWith("RECEIVING", ProcOf(server.Endpoint)!.State);

        Assert.Equal(IpcStatus.Ok, client.Send(server.Endpoint, Msg(2), Patience));
        Assert.Equal(2, (await receiving.WaitAsync(Patience)).Message.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_call_blocked_when_the_VM_ends_returns_VmNotRunning_whatever_the_slot_order()
    {
        var vm = ExtraVm(7);
        // Partners on lower slots are torn down first, which used to give their callers DstDied or SrcDied.
        var low = Enumerable.Range(0, 3).Select(_ => vm.Bind()).ToArray();
        var high = Enumerable.Range(0, 3).Select(_ => vm.Bind()).ToArray();
        var sending = OnThread(() => high[0].Send(low[0].Endpoint, Msg(1), Patience));
        var receiving = ReceiveOnThread(high[1], low[1].Endpoint, Patience);
        var sendRec = SendRecOnThread(high[2], low[2].Endpoint, Msg(3), Patience);
        Assert.Equal(IpcStatus.Ok, low[2].Receive(Endpoint.Any, out _, Patience));
        await AwaitQueueIn(vm, low[0].Endpoint, high[0].Endpoint);
        await AwaitState(high[1].Endpoint, "RECEIVING", vm);
        await AwaitState(high[2].Endpoint, "SENDREC", vm);

        await vm.EndAsync().WaitAsync(Patience);
        Assert.Equal(IpcStatus.VmNotRunning, await sending.WaitAsync(Patience));
        Assert.Equal(IpcStatus.VmNotRunning, (await receiving.WaitAsync(Patience)).Status);
        Assert.Equal(IpcStatus.VmNotRunning, (await sendRec.WaitAsync(Patience)).Status);
        Assert.Equal(IpcStatus.VmNotRunning, high[0].Send(low[0].Endpoint, Msg(1), Patience));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_actor_idle_in_a_receive_narrowed_to_one_source_ends_with_its_VM_without_a_receive_error()
    {
        var vm = ExtraVm(8);
        using var source = vm.Bind();
        var (actor, ep) = Script(vm: vm);
        Assert.Equal(IpcStatus.Ok, Do(actor, new ScriptActor.DoReceiveFrom(source.Endpoint)));
        await AwaitState(ep, $"RECEIVING from {source.Endpoint}", vm);

        await vm.EndAsync().WaitAsync(Patience);
        // The actor has stopped, so anything it told the test actor is already queued: it made no call, so no error.
        Assert.False(HasMessages, "an idle actor got a receive error at VM end");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_message_of_type_NOTIFY_is_refused_with_BadRequest_before_anything_is_delivered()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        var forged = new Message(Message.NotifyType);
        var receiving = ReceiveOnThread(server, Endpoint.Any, Patience);
        await AwaitState(server.Endpoint, "RECEIVING");

        Assert.Equal(IpcStatus.BadRequest, client.Send(server.Endpoint, forged, Patience));
        Assert.Contains("reserved", client.LastError);
        Assert.Equal(IpcStatus.BadRequest, client.SendNb(server.Endpoint, forged));
        var m = forged;
        Assert.Equal(IpcStatus.BadRequest, client.SendRec(server.Endpoint, ref m, Patience));
        Assert.Equal(IpcStatus.BadRequest, (await client.SendRecAsync(server.Endpoint, forged)).Status);
        Assert.False(receiving.IsCompleted);

        Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));
        var (status, delivered) = await receiving.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, status);
        Assert.True(delivered.IsNotify);
        Assert.Equal(client.Endpoint, delivered.Source);

        var calling = SendRecOnThread(client, server.Endpoint, Msg(1), Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(client.Endpoint, out _, Patience));
        Assert.Equal(IpcStatus.BadRequest, server.Reply(client.Endpoint, forged));
        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, Msg(2)));
        Assert.Equal(2, (await calling.WaitAsync(Patience)).Message.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task LastError_is_cleared_by_a_success_and_set_by_a_partner_death()
    {
        using var a = Vm.Bind();
        var b = Vm.Bind();
        Assert.Equal(IpcStatus.BadSrcDst, a.Send(Endpoint.None, Msg(1)));
        Assert.NotNull(a.LastError);
        Assert.Equal(IpcStatus.Ok, a.Notify(b.Endpoint));
        Assert.Null(a.LastError);

        var receiving = ReceiveOnThread(a, b.Endpoint, Patience);
        await AwaitState(a.Endpoint, "RECEIVING");
        b.Dispose();
        Assert.Equal(IpcStatus.SrcDied, (await receiving.WaitAsync(Patience)).Status);
        Assert.Contains(b.Endpoint.ToString(), a.LastError);
    }

    // The client's sendrec is taken by the server, then abandoned by a timeout or a cancellation: the server owes it.
    private async Task AbandonTakenSendRec(EndpointHandle client, EndpointHandle server, bool timeout)
    {
        var serving = ReceiveOnThread(server, Endpoint.Any, Patience);
        await AwaitState(server.Endpoint, "RECEIVING");
        if (timeout)
        {
            var first = Msg(1);
            Assert.Equal(IpcStatus.TimedOut, client.SendRec(server.Endpoint, ref first, Short));
        }
        else
        {
            using var cancel = new CancellationTokenSource();
            var calling = client.SendRecAsync(server.Endpoint, Msg(1), cancel.Token).AsTask();
            await AwaitState(client.Endpoint, "SENDREC");
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => calling.WaitAsync(Patience));
        }
        Assert.Equal(1, (await serving.WaitAsync(Patience)).Message.Type);
        AssertNoTrace(client.Endpoint);
    }
}
