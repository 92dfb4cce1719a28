using Akka.Actor;
using M3Actors.Actors;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// An actor whose handler returned runs the last partner it woke on its own thread (DeferredWakes): a ping-pong pair
/// stays on one worker instead of handing each hop to the pool.
/// </summary>
public sealed class HandOverTests(ITestOutputHelper output) : IpcTestKit(output)
{
    private const int RoundTrips = 1000;

    [Theory(Timeout = 30_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sendrec_or_notify_ping_pong_runs_the_woken_partner_on_the_handlers_thread(bool notify)
    {
        await Task.Yield();
        var hops = new HopLog();
        Vm.ActorOf(Props.Create(() => new Server(TestActor, hops)));
        var server = ExpectMsg<Endpoint>(Patience);
        var client = Vm.ActorOf(Props.Create(() => new Client(TestActor, hops, server, notify)));
        ExpectMsg<Endpoint>(Patience);

        var poolItems = ThreadPool.CompletedWorkItemCount;
        client.Tell(RoundTrips);

        Assert.Equal(RoundTrips, ExpectMsg<int>(Patience));
        poolItems = ThreadPool.CompletedWorkItemCount - poolItems;     // the whole process's: an upper bound
        Output.WriteLine($"{hops.HandedOver} of {RoundTrips} requests ran handed over by the handler that made " +
            $"them; {poolItems} pool work items ran meanwhile ({(double)poolItems / RoundTrips:F2} per round trip)");
        // The first hop may find the server's mailbox still finishing its start; once a hop was handed over, the
        // server's run has ended before the client runs again, so the next hops find it idle.
        Assert.True(hops.HandedOver >= RoundTrips - 2, $"only {hops.HandedOver} of {RoundTrips} hops handed over");
    }

    /// <summary>The thread of the client's last request, and how many requests the server took there, handed over.</summary>
    private sealed class HopLog
    {
        public int ClientThread;
        public int HandedOver;
    }

    private sealed class Server(IActorRef probe, HopLog hops) : EndpointActor
    {
        protected override void PreStart()
        {
            base.PreStart();
            probe.Tell(Endpoint);
        }

        protected override void OnMessage(in Message m)
        {
            // Handed over: run by the client's thread from inside the client's mailbox run, not queued to the pool.
            if (hops.ClientThread == Environment.CurrentManagedThreadId && CapturedRuns.HandingOver is not null)
                hops.HandedOver++;
            var status = m.IsNotify ? Notify(m.Source) : Reply(m.Source, in m);
            if (status != IpcStatus.Ok) probe.Tell(new Status.Failure(new IpcException(status, "server's answer")));
        }
    }

    private sealed class Client(IActorRef probe, HopLog hops, Endpoint server, bool notify) : EndpointActor
    {
        private int _left;
        private int _done;

        protected override void PreStart()
        {
            base.PreStart();
            probe.Tell(Endpoint);
        }

        protected override void OnCommand(object message)
        {
            if (message is not int count)
            {
                Unhandled(message);
                return;
            }
            _left = count;
            Next();
        }

        protected override void OnReply(IpcStatus status, in Message reply) => Answered(status);

        protected override void OnMessage(in Message m) => Answered(IpcStatus.Ok);

        private void Answered(IpcStatus status)
        {
            if (status != IpcStatus.Ok)
            {
                probe.Tell(new Status.Failure(new IpcException(status, "client's sendrec")));
                return;
            }
            _done++;
            Next();
        }

        private void Next()
        {
            if (_left-- == 0)
            {
                probe.Tell(_done);
                return;
            }
            hops.ClientThread = Environment.CurrentManagedThreadId;
            var status = notify ? Notify(server) : SendRec(server, new Message(1));
            if (notify && status == IpcStatus.Ok) ReceiveFrom(server);
            else if (status != (notify ? IpcStatus.Ok : IpcStatus.Suspended))
                probe.Tell(new Status.Failure(new IpcException(status, "client's request")));
        }
    }
}
