using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>
/// Raw Akka.Remote <c>Tell</c> ping-pong between two ActorSystems of this process on loopback: each pair's pinger on
/// system A, its ponger on system B, trading 64 bytes as a <c>byte[]</c> (Akka's byte-array serializer: no envelope
/// of ours, the cheapest remote message). The peer of <see cref="Cluster.Ipc2AcrossNodes"/>.
/// </summary>
[ReportAs("Akka.Remote Tell, two systems", "IPC2 across nodes")]
public class AkkaRemoteTell
{
    private const int RoundTripsPerInvoke = 2_000;
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(1);

    private ActorSystem? _a;
    private ActorSystem? _b;
    private IActorRef[] _pingers = [];
    private CountdownEvent _done = new(0);
    private StartRound _round = new(0);

    /// <summary>Pinger/ponger pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts both systems and the pairs, then runs one round so every connection is up before timing.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _a = Start();
        _b = Start();
        var b = ((ExtendedActorSystem)_b).Provider.DefaultAddress;
        _done = new CountdownEvent(Pairs);
        _pingers = Enumerable.Range(0, Pairs).Select(pair =>
        {
            _b.ActorOf(Props.Create<BytesPonger>(), $"ponger-{pair}");
            var ponger = ((ExtendedActorSystem)_a).Provider.ResolveActorRef(new RootActorPath(b) / "user" / $"ponger-{pair}");
            return _a.ActorOf(Props.Create(() => new BytesPinger(ponger, _done)), $"pinger-{pair}");
        }).ToArray();
        _round = new StartRound(1);
        RunRound();
        _round = new StartRound(RoundTripsPerInvoke / Pairs);
    }

    /// <summary>Terminates both systems.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var system in new[] { _a, _b }.OfType<ActorSystem>()) AkkaSystems.Stop(system);
        (_a, _b) = (null, null);
        _done.Dispose();
    }

    /// <summary>One operation is one round trip over the network.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => RunRound();

    private void RunRound()
    {
        _done.Reset();
        foreach (var pinger in _pingers) pinger.Tell(_round, ActorRefs.NoSender);
        if (!_done.Wait(RoundTimeout))
            throw new TimeoutException($"Akka.Remote ping-pong round did not finish within {RoundTimeout}.");
    }

    private static ActorSystem Start() => AkkaSystems.Start("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        """, "perf-remote");

    private sealed class BytesPonger : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is byte[]) Sender.Tell(message, Self);
            else Unhandled(message);
        }
    }

    private sealed class BytesPinger(IActorRef ponger, CountdownEvent done) : UntypedActor
    {
        private readonly byte[] _request = new byte[Payload64.Length];
        private int _remaining;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case StartRound start:
                    _remaining = start.RoundTrips;
                    ponger.Tell(_request, Self);
                    break;
                case byte[] when --_remaining == 0:
                    done.Signal();
                    break;
                case byte[]:
                    ponger.Tell(_request, Self);
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
    }
}
