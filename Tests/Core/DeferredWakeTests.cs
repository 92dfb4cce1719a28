using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// An actor woken by another actor's handler runs once that handler is receiving again (or calls the kernel again):
/// so its answer is delivered into the idle receive rather than queued.
/// </summary>
public sealed class DeferredWakeTests(ITestOutputHelper output) : IpcTestKit(output)
{
    // Long enough that a partner woken at once would have run on the other worker; a negative check, like ExpectNoMsg.
    private static readonly TimeSpan WouldHaveRun = TimeSpan.FromMilliseconds(300);

    [Fact(Timeout = 30_000)]
    public async Task A_partner_woken_by_a_handler_runs_after_it_and_finds_it_receiving()
    {
        using var ran = new ManualResetEventSlim();
        Vm.ActorOf(Props.Create(() => new AnsweringServer(TestActor, ran)));
        var serverEp = ExpectMsg<Endpoint>(Patience);
        var client = Vm.ActorOf(Props.Create(() => new WaitingClient(TestActor, ran)));
        var clientEp = ExpectMsg<Endpoint>(Patience);

        client.Tell(new WaitingClient.Go(serverEp, CallAgain: false, WouldHaveRun));
        Assert.Equal((IpcStatus.Ok, false), ExpectMsg<WaitingClient.Sent>(Patience).AsTuple());
        Assert.Equal(IpcStatus.Ok, ExpectMsg<AnsweringServer.Answered>(Patience).Status);   // not NotReady
        Assert.Equal(2, ExpectMsg<Message>(Patience).Type);        // taken by the client's idle receive
        await AwaitState(clientEp, "RECEIVING from ANY (idle)");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_handler_that_calls_again_lets_the_partner_it_woke_run()
    {
        using var ran = new ManualResetEventSlim();
        Vm.ActorOf(Props.Create(() => new AnsweringServer(TestActor, ran)));
        var serverEp = ExpectMsg<Endpoint>(Patience);
        var client = Vm.ActorOf(Props.Create(() => new WaitingClient(TestActor, ran)));
        var clientEp = ExpectMsg<Endpoint>(Patience);

        client.Tell(new WaitingClient.Go(serverEp, CallAgain: true, Patience));
        // The client is still in its handler, waiting for the server.
        Assert.Equal(IpcStatus.NotReady, ExpectMsg<AnsweringServer.Answered>(Patience).Status);
        Assert.Equal((IpcStatus.Ok, true), ExpectMsg<WaitingClient.Sent>(Patience).AsTuple());
        await AwaitState(clientEp, "RECEIVING from ANY (idle)");
    }

    /// <summary>Answers a message with sendnb, reports the answer's status, then opens the gate.</summary>
    private sealed class AnsweringServer(IActorRef probe, ManualResetEventSlim ran) : EndpointActor
    {
        public sealed record Answered(IpcStatus Status);

        protected override void PreStart()
        {
            base.PreStart();
            probe.Tell(Endpoint);
        }

        protected override void OnMessage(in Message m)
        {
            var status = SendNb(m.Source, new Message(2));     // Ok only if the client is receiving again
            probe.Tell(new Answered(status));      // before the gate opens: the probe hears it ahead of the client
            ran.Set();
        }
    }

    /// <summary>Sends to the server, may call the kernel again, then waits (bounded) for the server to run.</summary>
    private sealed class WaitingClient(IActorRef probe, ManualResetEventSlim ran) : EndpointActor
    {
        public sealed record Go(Endpoint Server, bool CallAgain, TimeSpan Wait);
        public sealed record Sent(IpcStatus Status, bool ServerRan)
        {
            public (IpcStatus, bool) AsTuple() => (Status, ServerRan);
        }

        protected override void PreStart()
        {
            base.PreStart();
            probe.Tell(Endpoint);
        }

        protected override void OnMessage(in Message m) => probe.Tell(m);

        protected override void OnCommand(object message)
        {
            if (message is not Go go)
            {
                Unhandled(message);
                return;
            }
            var status = Send(go.Server, new Message(1));
            // Any kernel call lets the wakeups held so far go out first; notifying itself is then refused.
            if (go.CallAgain) Notify(Endpoint);
            probe.Tell(new Sent(status, ran.Wait(go.Wait)));
        }
    }
}
