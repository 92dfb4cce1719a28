using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Helpers shared by the Core IPC tests: /proc waits, blocking calls on their own threads, scripted actors.</summary>
public abstract class IpcTestKit(ITestOutputHelper output) : VmTestKit(output)
{
    /// <summary>The /proc entry of <paramref name="e"/> in <paramref name="vm"/> (the test's VM by default), or null.</summary>
    protected ProcSnapshot? ProcOf(Endpoint e, Vm? vm = null) =>
        (vm ?? Vm).Snapshot().Procs.SingleOrDefault(p => p.Endpoint == e);

    /// <summary>Waits until <paramref name="e"/>'s /proc state starts with <paramref name="state"/>.</summary>
    protected Task AwaitState(Endpoint e, string state, Vm? vm = null) =>
        AwaitAssertAsync(() =>
        {
            var p = ProcOf(e, vm);
            Assert.NotNull(p);
            Assert.StartsWith(state, p.State);
        }, Patience);

    /// <summary>Waits until <paramref name="dst"/>'s queue of blocked senders is exactly <paramref name="senders"/>.</summary>
    protected Task AwaitQueue(Endpoint dst, params Endpoint[] senders) => AwaitQueueIn(Vm, dst, senders);

    /// <summary>As <see cref="AwaitQueue"/>, in <paramref name="vm"/>.</summary>
    protected Task AwaitQueueIn(Vm vm, Endpoint dst, params Endpoint[] senders) =>
        AwaitAssertAsync(() => Assert.Equal(senders, ProcOf(dst, vm)!.QueuedSenders), Patience);

    /// <summary>Waits until <paramref name="e"/> is bound (an actor binds in PreStart).</summary>
    protected Task AwaitBound(Endpoint e, Vm? vm = null) => AwaitAssertAsync(() => Assert.NotNull(ProcOf(e, vm)), Patience);

    /// <summary>Asserts <paramref name="e"/> left no trace: not blocked, nobody queued on it, not in anybody's queue.</summary>
    protected void AssertNoTrace(Endpoint e, Vm? vm = null)
    {
        var snapshot = (vm ?? Vm).Snapshot();
        var p = snapshot.Procs.Single(x => x.Endpoint == e);
        Assert.Equal(Endpoint.None, p.SendTo);
        Assert.Equal(Endpoint.None, p.GetFrom);
        Assert.DoesNotContain("SENDING", p.State);
        Assert.DoesNotContain("RECEIVING", p.State);
        Assert.DoesNotContain("SENDREC", p.State);
        Assert.All(snapshot.Procs, other => Assert.DoesNotContain(e, other.QueuedSenders));
    }

    /// <summary>Runs a blocking IPC call on its own thread (never on the thread pool, which the actors need).</summary>
    protected static Task<T> OnThread<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>A blocking receive on its own thread, returning the status and message.</summary>
    protected static Task<(IpcStatus Status, Message Message)> ReceiveOnThread(EndpointHandle h, Endpoint src, TimeSpan timeout) =>
        OnThread(() => (h.Receive(src, out var m, timeout), m));

    /// <summary>A blocking sendrec on its own thread, returning the status and reply.</summary>
    protected static Task<(IpcStatus Status, Message Message)> SendRecOnThread(EndpointHandle h, Endpoint dst, Message m, TimeSpan timeout) =>
        OnThread(() => (h.SendRec(dst, ref m, timeout), m));

    /// <summary>Starts a <see cref="ScriptActor"/> reporting to the test actor and returns it with its endpoint once bound.</summary>
    protected (IActorRef Actor, Endpoint Endpoint) Script(int? slot = null, bool echo = false, Vm? vm = null, string? name = null)
    {
        var actor = (vm ?? Vm).ActorOf(Props.Create(() => new ScriptActor(TestActor, slot, echo)), name);
        actor.Tell(new ScriptActor.WhoAmI(), TestActor);
        return (actor, ExpectMsg<Endpoint>(Patience));
    }

    /// <summary>Tells <paramref name="actor"/> a command and returns its immediate status.</summary>
    protected IpcStatus Do(IActorRef actor, object command)
    {
        actor.Tell(command, TestActor);
        return ExpectMsg<ScriptActor.Started>(Patience).Status;
    }

    /// <summary>A message with a type and an int payload.</summary>
    protected static Message Msg(int type, int value = 0)
    {
        var m = new Message(type);
        m.SetInt(0, value);
        return m;
    }

    /// <summary>Starts an extra VM on the test's DRVS (ended with it).</summary>
    protected Vm ExtraVm(int id, VmOptions? options = null) =>
        Drvs.StartVm(options ?? new VmOptions { Id = id, Name = $"extra{id}" });
}
