using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>An endpoint actor's IPC calls belong to its mailbox run: from anywhere else they fail clearly, changing nothing.</summary>
public sealed class ActorCallContextTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 30_000)]
    public async Task A_call_from_a_timer_callback_fails_naming_the_actor_and_the_call()
    {
        using var target = Vm.Bind(owner: "target");
        var actor = await Create("timed");
        actor.Tell(new OffRunActor.NotifyFromTimer(target.Endpoint));
        var failure = await ExpectMsgAsync<InvalidOperationException>(Patience);
        Assert.Contains("/user/timed", failure.Message);
        Assert.Contains("called Notify outside its handlers", failure.Message);
        Assert.Equal(0, ProcOf(target.Endpoint)!.PendingNotifies);      // nothing happened

        actor.Tell(new OffRunActor.NotifyNow(target.Endpoint));         // in a handler the same call works
        Assert.Equal(IpcStatus.Ok, await ExpectMsgAsync<IpcStatus>(Patience));
        Assert.Equal(1, ProcOf(target.Endpoint)!.PendingNotifies);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_call_from_a_task_continuation_fails_naming_the_actor_and_the_call()
    {
        using var target = Vm.Bind(owner: "target");
        var actor = await Create("continued");
        actor.Tell(new OffRunActor.SendNbFromTask(target.Endpoint));
        var failure = await ExpectMsgAsync<InvalidOperationException>(Patience);
        Assert.Contains("/user/continued", failure.Message);
        Assert.Contains("called SendNb outside its handlers", failure.Message);
    }

    private Task<IActorRef> Create(string name) =>
        Task.Run(() => Vm.ActorOf(Props.Create(() => new OffRunActor(TestActor)), name)).WaitAsync(Patience);

    /// <summary>Makes calls from a scheduler callback or a task continuation and reports how they failed.</summary>
    private sealed class OffRunActor(IActorRef probe) : EndpointActor
    {
        public sealed record NotifyFromTimer(Endpoint Target);
        public sealed record SendNbFromTask(Endpoint Target);
        public sealed record NotifyNow(Endpoint Target);

        protected override void OnMessage(in Message m)
        {
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case NotifyFromTimer c:
                    Context.System.Scheduler.Advanced.ScheduleOnce(
                        TimeSpan.FromMilliseconds(1), () => Report(() => Notify(c.Target)));
                    break;
                case SendNbFromTask c:
                    Task.Delay(1).ContinueWith(
                        _ => Report(() => SendNb(c.Target, new Message(1))), TaskScheduler.Default);
                    break;
                case NotifyNow c: probe.Tell(Notify(c.Target)); break;
                default: Unhandled(message); break;
            }
        }

        private void Report(Func<IpcStatus> call)
        {
            try
            {
                probe.Tell(call());
            }
            catch (InvalidOperationException e)
            {
                probe.Tell(e);
            }
        }
    }
}
