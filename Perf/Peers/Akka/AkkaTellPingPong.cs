using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>
/// Akka.NET <c>Tell</c> ping-pong: each pair is a <see cref="Pinger"/> and a <see cref="Ponger"/> trading a
/// <see cref="Payload64"/>; one round trip is request + reply. Subclasses choose where the actors run. The actor
/// system lives for the whole case; invocations end only after their last reply, so each iteration starts quiescent.
/// </summary>
public abstract class AkkaTellPingPong
{
    private const int RoundTripsPerInvoke = 20_000;
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(1);

    private ActorSystem? _system;
    private IActorRef[] _pingers = [];
    private CountdownEvent _done = new(0);
    private StartRound _round = new(0);

    /// <summary>Pinger/ponger pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>HOCON defining the dispatchers this variant needs (empty for the default dispatcher).</summary>
    protected abstract string DispatcherHocon(int pairs);

    /// <summary>The dispatcher id for both actors of <paramref name="pair"/>, or null for the default one.</summary>
    protected abstract string? DispatcherFor(int pair);

    /// <summary>Starts the system and the pairs, then runs one round so every actor is started before timing.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _system = AkkaSystems.Start(DispatcherHocon(Pairs));
        _done = new CountdownEvent(Pairs);
        _pingers = Enumerable.Range(0, Pairs).Select(pair =>
        {
            var ponger = _system.ActorOf(Ponger.Props(DispatcherFor(pair)), $"ponger-{pair}");
            return _system.ActorOf(Pinger.Props(ponger, _done, DispatcherFor(pair)), $"pinger-{pair}");
        }).ToArray();
        _round = new StartRound(1);
        RunRound();
        _round = new StartRound(RoundTripsPerInvoke / Pairs);
    }

    /// <summary>Terminates the actor system.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_system is not null)
        {
            AkkaSystems.Stop(_system);
            _system = null;
        }
        _done.Dispose();
    }

    /// <summary>One operation is one round trip; each pair does its share of the invoke's round trips.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => RunRound();

    private void RunRound()
    {
        _done.Reset();
        foreach (var pinger in _pingers)
        {
            pinger.Tell(_round, ActorRefs.NoSender);
        }
        if (!_done.Wait(RoundTimeout))
        {
            throw new TimeoutException($"Tell ping-pong round did not finish within {RoundTimeout}.");
        }
    }
}
