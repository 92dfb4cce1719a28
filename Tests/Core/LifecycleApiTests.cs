using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>The lifecycle conveniences: HOCON options, implicit unbind of tasks and threads, waiting for a bind.</summary>
public sealed class LifecycleApiTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task Drvs_options_come_from_hocon_with_embedded_defaults()
    {
        var options = DrvsOptions.FromConfig(ConfigurationFactory.ParseString("m3actors.drvs { node-id = 3, max-copy-bytes = 1024 }"));
        Assert.Equal((3, 1024, 64), (options.NodeId, options.MaxCopyBytes, options.MaxVms));
        var drvs = Drvs.Start(options);
        try
        {
            var vm = drvs.StartVm(new VmOptions { Id = 2, Name = "small" });
            using var a = vm.Bind();
            using var b = vm.Bind();
            var ab = a.RegisterBuffer(new byte[2048], BufferAccess.Read);
            var receiving = ReceiveOnThread(b, Endpoint.Any, Patience);
            await AwaitState(b.Endpoint, "RECEIVING", vm);
            var bb = b.RegisterBuffer(new byte[2048], BufferAccess.Write);
            Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new BufferAddress(ab), b.Endpoint, new BufferAddress(bb), 1025));
            Assert.Equal(IpcStatus.Ok, a.VCopy(Endpoint.Self, new BufferAddress(ab), b.Endpoint, new BufferAddress(bb), 1024));
            Assert.Equal(IpcStatus.Ok, a.Notify(b.Endpoint));
            Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);
        }
        finally
        {
            await drvs.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task A_task_endpoint_unbinds_when_the_task_ends()
    {
        using var server = Vm.Bind();
        var started = new TaskCompletionSource<Endpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = Vm.RunTask(async (h, ending) =>
        {
            started.SetResult(h.Endpoint);
            var reply = await h.SendRecAsync(server.Endpoint, new Message(1), ending);
            Assert.Equal(IpcStatus.Ok, reply.Status);
        });
        var client = await started.Task.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(client, out var request, Patience));
        Assert.Equal(IpcStatus.Ok, server.Send(request.Source, new Message(2), Patience));
        await task.WaitAsync(Patience);
        Assert.Null(ProcOf(client));
        Assert.Equal(IpcStatus.DeadSrcDst, server.Notify(client));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_thread_endpoint_unbinds_when_its_body_throws()
    {
        using var server = Vm.Bind();
        var thread = Vm.StartThread((h, _) =>
        {
            var m = new Message(7);
            Assert.Equal(IpcStatus.Ok, h.SendRec(server.Endpoint, ref m, Patience));
            throw new InvalidOperationException("the owner fails after its call");
        }, owner: "failing thread");
        var caller = await AwaitSender(server);
        Assert.Equal(IpcStatus.Ok, server.Reply(caller, new Message(8)));
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => thread.WaitAsync(Patience));
        Assert.Equal("the owner fails after its call", failure.Message);
        Assert.Null(ProcOf(caller));
    }

    [Fact(Timeout = 20_000)]
    public async Task RcvRqstAsync_takes_only_sendrec_callers()
    {
        using var server = Vm.Bind();
        using var plain = Vm.Bind();
        using var client = Vm.Bind();
        var sending = OnThread(() => plain.Send(server.Endpoint, new Message(1), Patience));
        await AwaitQueue(server.Endpoint, plain.Endpoint);
        var asking = client.SendRecAsync(server.Endpoint, new Message(2)).AsTask();
        await AwaitQueue(server.Endpoint, plain.Endpoint, client.Endpoint);
        var request = await server.RcvRqstAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 2, client.Endpoint), (request.Status, request.Message.Type, request.Message.Source));
        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, new Message(3)));
        Assert.Equal(3, (await asking.WaitAsync(Patience)).Message.Type);
        Assert.Equal(IpcStatus.Ok, server.Receive(plain.Endpoint, out _, Patience));
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
    }

    [Fact(Timeout = 20_000)]
    public async Task WhenBound_completes_on_bind_times_out_and_fails_when_the_vm_ends()
    {
        var waiting = Vm.WhenBoundAsync(9, Patience);
        Assert.False(waiting.IsCompleted);
        using (var h = Vm.Bind(9)) Assert.Equal(h.Endpoint, await waiting.WaitAsync(Patience));
        await Assert.ThrowsAsync<TimeoutException>(() => Vm.WhenBoundAsync(10, TimeSpan.FromMilliseconds(1)));
        var never = Vm.WhenBoundAsync(11, Patience);
        await Drvs.EndVmAsync(Vm.Id).WaitAsync(Patience);
        Assert.Equal(IpcStatus.VmNotRunning, (await Assert.ThrowsAsync<IpcException>(() => never)).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Vm.WhenBoundAsync(100_000, Patience); });
    }

    [Fact(Timeout = 20_000)]
    public async Task An_unregistered_buffer_can_no_longer_be_copied()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var src = a.RegisterBuffer(new byte[64], BufferAccess.Read);
        var receiving = ReceiveOnThread(b, Endpoint.Any, Patience);
        await AwaitState(b.Endpoint, "RECEIVING");
        var dst = b.RegisterBuffer(new byte[64], BufferAccess.Write);
        Assert.True(a.UnregisterBuffer(src));
        Assert.False(a.UnregisterBuffer(src));
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new BufferAddress(src), b.Endpoint, new BufferAddress(dst), 8));
        Assert.Equal(IpcStatus.Ok, a.Notify(b.Endpoint));
        Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);
    }

    private async Task<Endpoint> AwaitSender(EndpointHandle server)
    {
        Endpoint caller = default;
        await AwaitAssertAsync(() => caller = Assert.Single(ProcOf(server.Endpoint)!.QueuedSenders), Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(caller, out _, Patience));
        return caller;
    }
}
