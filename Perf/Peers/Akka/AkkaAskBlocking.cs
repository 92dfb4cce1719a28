using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.Peers.Processes;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>
/// Akka.NET <c>Ask(...).Result</c> from blocking threads: each pair is a dedicated thread (one pair: the benchmark
/// thread itself, as the M3Actors thread client does) blocking on the Ask's task for the <see cref="Ponger"/>'s reply,
/// one call at a time. This is what a blocking caller does with plain Akka, so it is the peer of the M3Actors thread
/// endpoint's blocking <c>SendRec</c>; <see cref="AkkaAsk"/> is the peer of tasks that await.
/// </summary>
[ReportAs("Akka.NET Ask(...).Result from threads", "IPC2")]
public class AkkaAskBlocking
{
    private const int RoundTripsPerInvoke = 10_000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private readonly object _request = Payload64.Pattern();
    private ActorSystem? _system;
    private IActorRef[] _pongers = [];
    private PairThreads? _threads;

    /// <summary>Thread/ponger pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts the system, one ponger and one client thread per pair, and asks each ponger once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _system = AkkaSystems.Start();
        _pongers = Enumerable.Range(0, Pairs).Select(pair => _system.ActorOf(Ponger.Props(null), $"ponger-{pair}")).ToArray();
        _threads = new PairThreads(Pairs, AskLoop);
        _threads.Run(1);
    }

    /// <summary>Joins the client threads and terminates the actor system.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _threads?.Dispose();
        _threads = null;
        if (_system is not null)
        {
            AkkaSystems.Stop(_system);
            _system = null;
        }
    }

    /// <summary>One operation is one blocking Ask round trip; every call has returned when the invocation ends.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => _threads!.Run(RoundTripsPerInvoke / Pairs);

    private void AskLoop(int pair, int roundTrips)
    {
        var ponger = _pongers[pair];
        for (var i = 0; i < roundTrips; i++)
        {
            _ = ponger.Ask<object>(_request, AskTimeout).Result;
        }
    }
}
