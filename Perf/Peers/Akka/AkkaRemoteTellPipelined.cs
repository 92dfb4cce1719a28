using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.Peers.Processes;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>
/// Raw Akka.Remote <c>Tell</c> between two processes on loopback with <see cref="InFlight"/> 64-byte requests in
/// flight per pair: each pair's pinger here keeps that many <c>byte[]</c> requests outstanding at its ponger in a
/// child process (<see cref="AkkaPongPeer"/>), sending the next as each answer comes. The peer of
/// <see cref="Cluster.Ipc2AcrossNodesPipelined"/>.
/// </summary>
[ReportAs("Akka.Remote Tell, two processes", "IPC2 across nodes, 100 in flight per pair")]
public class AkkaRemoteTellPipelined
{
    /// <summary>Requests in flight per pair.</summary>
    public const int InFlight = 100;

    private const int RoundTripsPerInvoke = 8_000;
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(1);

    private PeerProcess? _pongs;
    private ActorSystem? _system;
    private IActorRef[] _pingers = [];
    private CountdownEvent _done = new(0);

    /// <summary>Pinger/ponger pairs running at once.</summary>
    [Params(4)]
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
            return _system.ActorOf(Props.Create(() => new WindowPinger(ponger, _done)), $"pinger-{pair}");
        }).ToArray();
        RunRound(InFlight);
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

    /// <summary>One operation is one round trip over the network, <see cref="InFlight"/> per pair at once.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => RunRound(RoundTripsPerInvoke / Pairs);

    private void RunRound(int roundTripsPerPair)
    {
        _done.Reset();
        var round = new StartRound(roundTripsPerPair);
        foreach (var pinger in _pingers) pinger.Tell(round, ActorRefs.NoSender);
        if (!_done.Wait(RoundTimeout))
            throw new TimeoutException($"a pipelined Akka.Remote round did not finish within {RoundTimeout}.");
    }

    private sealed class WindowPinger(IActorRef ponger, CountdownEvent done) : UntypedActor
    {
        private readonly byte[] _request = new byte[Payload64.Length];
        private int _toSend;
        private int _toReceive;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case StartRound start:
                    _toSend = start.RoundTrips;
                    _toReceive = start.RoundTrips;
                    for (var i = 0; i < InFlight && _toSend > 0; i++) Send();
                    break;
                case byte[]:
                    if (_toSend > 0) Send();
                    if (--_toReceive == 0) done.Signal();
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }

        private void Send()
        {
            _toSend--;
            ponger.Tell(_request, Self);
        }
    }
}
