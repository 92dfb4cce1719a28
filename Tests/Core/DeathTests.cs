using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

public sealed class DeathTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task Sender_blocked_on_a_destination_that_unbinds_gets_DstDied()
    {
        using var s = Vm.Bind();
        var dst = Vm.Bind();
        var sending = OnThread(() => s.Send(dst.Endpoint, Msg(1), Patience));
        await AwaitQueue(dst.Endpoint, s.Endpoint);
        dst.Dispose();
        Assert.Equal(IpcStatus.DstDied, await sending.WaitAsync(Patience));
        AssertNoTrace(s.Endpoint);
    }

    [Fact(Timeout = 20_000)]
    public async Task Receiver_blocked_on_a_source_that_unbinds_gets_SrcDied()
    {
        using var r = Vm.Bind();
        var src = Vm.Bind();
        var receiving = ReceiveOnThread(r, src.Endpoint, Patience);
        await AwaitState(r.Endpoint, $"RECEIVING from {src.Endpoint}");
        src.Dispose();
        Assert.Equal(IpcStatus.SrcDied, (await receiving.WaitAsync(Patience)).Status);
        AssertNoTrace(r.Endpoint);
    }

    [Fact(Timeout = 20_000)]
    public async Task Sendrec_caller_whose_server_stops_while_handling_gets_SrcDied()
    {
        using var client = Vm.Bind();
        var (server, serverEp) = Script(slot: 3);           // no echo: it holds the request
        var calling = SendRecOnThread(client, serverEp, Msg(1), Patience);
        Assert.Equal(client.Endpoint, ExpectMsg<ScriptActor.Got>(Patience).Message.Source);
        await AwaitState(client.Endpoint, $"SENDREC waiting for {serverEp}");
        Sys.Stop(server);
        Assert.Equal(IpcStatus.SrcDied, (await calling.WaitAsync(Patience)).Status);
        AssertNoTrace(client.Endpoint);
    }

    [Fact(Timeout = 20_000)]
    public async Task Async_sendrec_caller_whose_thread_server_unbinds_gets_SrcDied()
    {
        using var client = Vm.Bind();
        var server = Vm.Bind();
        var calling = client.SendRecAsync(server.Endpoint, Msg(1)).AsTask();
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out _, Patience));
        await AwaitState(client.Endpoint, "SENDREC waiting for");
        server.Dispose();
        Assert.Equal(IpcStatus.SrcDied, (await calling.WaitAsync(Patience)).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_actor_that_crashes_releases_its_blocked_partners()
    {
        using var waiting = Vm.Bind();
        using var queued = Vm.Bind();
        using var receiver = Vm.Bind();
        using var holder = Vm.Bind();
        var (server, serverEp) = Script(slot: 3);
        var calling = SendRecOnThread(waiting, serverEp, Msg(1), Patience);
        Assert.Equal(waiting.Endpoint, ExpectMsg<ScriptActor.Got>(Patience).Message.Source);
        await AwaitState(waiting.Endpoint, $"SENDREC waiting for {serverEp}");
        // Narrow its receive so a plain sender queues instead of being taken.
        Assert.Equal(IpcStatus.Ok, Do(server, new ScriptActor.DoReceiveFrom(holder.Endpoint)));
        await AwaitState(serverEp, $"RECEIVING from {holder.Endpoint}");
        var sending = OnThread(() => queued.Send(serverEp, Msg(2), Patience));
        await AwaitQueue(serverEp, queued.Endpoint);
        var receiving = ReceiveOnThread(receiver, serverEp, Patience);
        await AwaitState(receiver.Endpoint, $"RECEIVING from {serverEp}");
        server.Tell(new ScriptActor.DoCrash(), TestActor);      // throws in its handler
        Assert.Equal(IpcStatus.SrcDied, (await calling.WaitAsync(Patience)).Status);
        Assert.Equal(IpcStatus.DstDied, await sending.WaitAsync(Patience));
        Assert.Equal(IpcStatus.SrcDied, (await receiving.WaitAsync(Patience)).Status);
        // The supervisor restarted it on the same system slot: it serves again.
        await AwaitState(serverEp, "RECEIVING from ANY (idle)");
        Assert.Equal(IpcStatus.Ok, queued.SendNb(serverEp, Msg(5)));
        Assert.Equal(5, ExpectMsg<ScriptActor.Got>(Patience).Message.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_actor_that_throws_in_OnMessage_releases_the_caller()
    {
        using var client = Vm.Bind();
        Vm.ActorOf(Props.Create(() => new ThrowingServer(3)), "thrower");
        await AwaitBound(Endpoint.System(3));
        var m = Msg(1);
        Assert.Equal(IpcStatus.SrcDied, await OnThread(() => client.SendRec(Endpoint.System(3), ref m, Patience)).WaitAsync(Patience));
        AssertNoTrace(client.Endpoint);
    }

    [Fact(Timeout = 60_000)]
    public async Task Vm_end_under_load_returns_an_error_to_every_call()
    {
        var vm = ExtraVm(2);
        try
        {
            vm.ActorOf(Props.Create(() => new ScriptActor(ActorRefs.Nobody, 3, false)), "holder");
            using var sink = vm.Bind();     // never receives
            await AwaitBound(Endpoint.System(3), vm);
            var calls = new List<Task<IpcStatus>>();
            var handles = new List<EndpointHandle>();
            for (var i = 0; i < 4; i++)
            {
                var h = vm.Bind();
                handles.Add(h);
                calls.Add(OnThread(() => { var m = Msg(1); return h.SendRec(Endpoint.System(3), ref m); }));   // no timeout
            }
            for (var i = 0; i < 4; i++)
            {
                var h = vm.Bind();
                handles.Add(h);
                calls.Add(OnThread(() => h.Send(sink.Endpoint, Msg(2))));
            }
            for (var i = 0; i < 2; i++)
            {
                var h = vm.Bind();
                handles.Add(h);
                calls.Add(h.SendRecAsync(sink.Endpoint, Msg(3)).AsTask().ContinueWith(t => t.Result.Status, TaskScheduler.Default));
                var r = vm.Bind();
                handles.Add(r);
                calls.Add(r.ReceiveAsync(Endpoint.Any).AsTask().ContinueWith(t => t.Result.Status, TaskScheduler.Default));
            }
            await AwaitAssertAsync(() =>
            {
                var procs = vm.Snapshot().Procs;
                Assert.Equal(4, procs.Count(p => p.State.StartsWith("SENDREC waiting for")));
                Assert.Equal(4 + 2, procs.Single(p => p.Endpoint == sink.Endpoint).QueuedSenders.Count);
                Assert.Equal(2, procs.Count(p => p.State.StartsWith("RECEIVING from ANY") && p.Kind == M3Actors.Kernel.OwnerKind.Thread));
            }, Patience);
            await vm.EndAsync().WaitAsync(Patience);
            var statuses = await Task.WhenAll(calls).WaitAsync(Patience);
            Assert.All(statuses, s => Assert.True(s < 0 && s != IpcStatus.Suspended, $"{s}"));
            Assert.All(statuses, s => Assert.Contains(s, new[] { IpcStatus.VmNotRunning, IpcStatus.SrcDied, IpcStatus.DstDied }));
            Assert.All(handles, h => Assert.False(h.IsBound));
            foreach (var h in handles) h.Dispose();
        }
        finally
        {
            if (vm.IsRunning) await vm.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Vm_end_releases_actor_endpoints_blocked_in_calls()
    {
        var vm = ExtraVm(2);
        try
        {
            using var sink = vm.Bind();
            var probe = CreateTestProbe();
            var actor = vm.ActorOf(Props.Create(() => new ScriptActor(probe.Ref, null, false)), "blocked");
            actor.Tell(new ScriptActor.WhoAmI(), probe.Ref);
            var ep = probe.ExpectMsg<Endpoint>(Patience);
            actor.Tell(new ScriptActor.DoSend(sink.Endpoint, Msg(1)), probe.Ref);
            Assert.Equal(IpcStatus.Suspended, probe.ExpectMsg<ScriptActor.Started>(Patience).Status);
            await AwaitQueueIn(vm, sink.Endpoint, ep);
            await vm.EndAsync().WaitAsync(Patience);
            Assert.True(vm.System.WhenTerminated.IsCompleted);
            Assert.Equal(IpcStatus.VmNotRunning, sink.Receive(Endpoint.Any, out _, TimeSpan.Zero));
        }
        finally
        {
            if (vm.IsRunning) await vm.EndAsync().WaitAsync(Patience);
        }
    }

    private sealed class ThrowingServer(int slot) : EndpointActor(slot)
    {
        protected override void OnMessage(in Message m) => throw new InvalidOperationException("server bug");
    }
}
