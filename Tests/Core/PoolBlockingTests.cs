using Akka.Actor;
using Akka.Event;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Blocking thread-endpoint calls made from thread-pool threads: the VM's actors keep running, and the VM warns once.</summary>
public sealed class PoolBlockingTests(ITestOutputHelper output) : IpcTestKit(output)
{
    /// <summary>Answers Type + 1, with int 0 = 1 when the handler ran on a thread-pool thread.</summary>
    private sealed class ThreadReporter(int slot) : EndpointActor(slot)
    {
        protected override void OnMessage(in Message m)
        {
            var reply = new Message(m.Type + 1);
            reply.SetInt(0, Thread.CurrentThread.IsThreadPoolThread ? 1 : 0);
            Reply(m.Source, in reply);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Blocking_calls_on_pool_threads_do_not_starve_the_vms_actors()
    {
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        var blockers = Enumerable.Range(0, minWorkers + 2).Select(_ => Vm.Bind()).ToList();
        try
        {
            using var started = new CountdownEvent(blockers.Count);
            var blocked = blockers.Select(h => Task.Run(() =>
            {
                started.Signal();
                return h.Receive(Endpoint.Any, out _, Timeout.InfiniteTimeSpan);     // until its handle is disposed
            })).ToList();
            Assert.True(started.Wait(Patience), "the blocking calls did not all start");

            // With every pool thread the process started with parked, an actor still starts and answers at once:
            // while pool threads block in endpoint calls, the VM's executor runs actors on standby threads.
            Vm.ActorOf(Props.Create(() => new ThreadReporter(7)), "reporter");
            AwaitAssert(() => Assert.NotNull(ProcOf(Endpoint.System(7))), Patience);
            using var client = Vm.Bind();
            var asking = SendRecOnThread(client, Endpoint.System(7), Msg(1), Patience);
            var (status, reply) = await asking.WaitAsync(Patience);
            Assert.Equal((IpcStatus.Ok, 2), (status, reply.Type));
            Assert.Equal(0, reply.GetInt(0));       // the handler ran on a standby thread, not the pool

            foreach (var h in blockers) h.Dispose();
            var released = await Task.WhenAll(blocked).WaitAsync(Patience);
            Assert.All(released, s => Assert.Equal(IpcStatus.NotBound, s));
        }
        finally
        {
            foreach (var h in blockers) h.Dispose();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_blocking_call_on_a_pool_thread_is_logged_once_per_vm()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var dedicated = ReceiveOnThread(a, b.Endpoint, Patience);           // not a pool thread: no warning
        await AwaitState(a.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Ok, b.Send(a.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, (await dedicated.WaitAsync(Patience)).Status);
        for (var i = 0; i < 2; i++)
        {
            var pooled = Task.Run(() => a.Receive(b.Endpoint, out _, Patience));
            await AwaitState(a.Endpoint, "RECEIVING");
            Assert.Equal(IpcStatus.Ok, b.Send(a.Endpoint, Msg(2 + i), Patience));
            Assert.Equal(IpcStatus.Ok, await pooled.WaitAsync(Patience));
        }
        Sys.EventStream.Publish(new Warning("test", GetType(), "marker"));
        var warning = warnings.ExpectMsg<Warning>(Patience);
        Assert.Contains("thread-pool thread", warning.Message.ToString());
        Assert.Contains(a.Endpoint.ToString(), warning.Message.ToString());
        Assert.Equal("marker", warnings.ExpectMsg<Warning>(Patience).Message);
    }
}
