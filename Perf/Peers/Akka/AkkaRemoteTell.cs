using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.Peers.Processes;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>
/// Raw Akka.Remote <c>Tell</c> ping-pong between two processes on loopback, one request in flight per pair: each
/// pair's pinger here, its ponger in a child process (<see cref="AkkaPongPeer"/>), trading 64 bytes as a
/// <c>byte[]</c> (Akka's byte-array serializer: no envelope of ours, the cheapest remote message). The peer of
/// <see cref="Cluster.Ipc2AcrossNodes"/>.
/// </summary>
[ReportAs("Akka.Remote Tell, two processes", "IPC2 across nodes")]
public class AkkaRemoteTell
{
    private const int RoundTripsPerInvoke = 2_000;
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(1);

    private PeerProcess? _pongs;
    private ActorSystem? _system;
    private IActorRef[] _pingers = [];
    private CountdownEvent _done = new(0);
    private StartRound _round = new(0);

    /// <summary>Pinger/ponger pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts the ponger process and the pingers, then runs one round so the connection is up.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pongs = PeerProcess.Start(PeerServer.AkkaPong,
            Pairs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _system = AkkaSystems.Start(AkkaPongPeer.RemoteHocon, "perf-remote");
        _done = new CountdownEvent(Pairs);
        var provider = ((ExtendedActorSystem)_system).Provider;
        _pingers = Enumerable.Range(0, Pairs).Select(pair =>
        {
            var ponger = provider.ResolveActorRef(ActorPath.Parse($"{_pongs.Address}/user/ponger-{pair}"));
            return _system.ActorOf(Props.Create(() => new BytesPinger(ponger, _done)), $"pinger-{pair}");
        }).ToArray();
        _round = new StartRound(1);
        RunRound();
        _round = new StartRound(RoundTripsPerInvoke / Pairs);
    }

    /// <summary>Terminates this side's system and the ponger process.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_system is not null) AkkaSystems.Stop(_system);
        _system = null;
        _pongs?.Dispose();
        _pongs = null;
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
