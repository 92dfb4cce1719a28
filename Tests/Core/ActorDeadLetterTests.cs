using Akka.Actor;
using Akka.Event;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Rulebook §12.9: a message the kernel handed to an actor that stopped before handling it goes to dead letters.</summary>
public sealed class ActorDeadLetterTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 30_000)]
    public async Task A_message_taken_by_the_idle_receive_of_a_stopping_actor_is_a_dead_letter()
    {
        var actor = Vm.ActorOf(Props.Create(() => new HoldingActor(TestActor)), "stopping");
        var endpoint = ExpectMsg<Endpoint>(Patience);
        using var sender = Vm.Bind(owner: "sender");
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        Watch(actor);

        // The actor is inside a handler (not receiving), so the sender queues; the handler stops the actor, and as it
        // returns the actor's idle receive takes the message, but the stop is processed before any handler can see it.
        using var gate = new ManualResetEventSlim();
        actor.Tell(new HoldingActor.HoldThenStop(gate));
        ExpectMsg<HoldingActor.Holding>(Patience);
        var sending = OnThread(() => sender.Send(endpoint, Msg(41, 7), Patience));
        await AwaitQueue(endpoint, sender.Endpoint);
        gate.Set();

        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));      // the kernel handed the message over
        var dead = FishForMessage<DeadLetter>(d => d.Message is Message, Patience);
        var lost = Assert.IsType<Message>(dead.Message);
        Assert.Equal((41, 7, sender.Endpoint), (lost.Type, lost.GetInt(0), lost.Source));
        Assert.Equal(actor, dead.Recipient);
        ExpectTerminated(actor, Patience);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_sendrec_reply_the_actor_never_handled_is_a_dead_letter()
    {
        using var server = Vm.Bind(owner: "server");
        var actor = Vm.ActorOf(Props.Create(() => new HoldingActor(TestActor)), "asking");
        var endpoint = ExpectMsg<Endpoint>(Patience);
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        Watch(actor);

        using var gate = new ManualResetEventSlim();
        actor.Tell(new HoldingActor.SendRecThenHoldThenStop(server.Endpoint, Msg(1), gate));
        Assert.Equal(IpcStatus.Suspended, ExpectMsg<IpcStatus>(Patience));
        Assert.Equal(IpcStatus.Ok, (await ReceiveOnThread(server, endpoint, Patience)).Status);
        Assert.Equal(IpcStatus.Ok, server.Reply(endpoint, Msg(42)));
        await AwaitState(endpoint, "READY");       // the reply waits for the actor, which is still in its handler
        gate.Set();

        var dead = FishForMessage<DeadLetter>(d => d.Message is Message, Patience);
        var lost = Assert.IsType<Message>(dead.Message);
        Assert.Equal((42, server.Endpoint), (lost.Type, lost.Source));
        ExpectTerminated(actor, Patience);         // OnReply never ran: it would have told the probe first
    }

    /// <summary>Reports its endpoint when it starts; holds its handler until a gate opens, then stops; reports replies.</summary>
    private sealed class HoldingActor(IActorRef probe) : EndpointActor
    {
        public sealed record HoldThenStop(ManualResetEventSlim Gate);
        public sealed record SendRecThenHoldThenStop(Endpoint Server, Message Request, ManualResetEventSlim Gate);
        public sealed record Holding;
        public sealed record Replied(IpcStatus Status, Message Reply);

        protected override void PreStart()
        {
            base.PreStart();
            probe.Tell(Endpoint);
        }

        protected override void OnMessage(in Message m) => probe.Tell(m);

        protected override void OnReply(IpcStatus status, in Message reply) => probe.Tell(new Replied(status, reply));

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case HoldThenStop hold:
                    probe.Tell(new Holding());
                    Assert.True(hold.Gate.Wait(Patience), "the test never released the held handler");
                    Context.Stop(Self);
                    break;
                case SendRecThenHoldThenStop call:
                    probe.Tell(SendRec(call.Server, call.Request));
                    Assert.True(call.Gate.Wait(Patience), "the test never released the held handler");
                    Context.Stop(Self);
                    break;
                default: Unhandled(message); break;
            }
        }
    }
}
