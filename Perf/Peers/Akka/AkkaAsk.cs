using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>
/// Akka.NET <c>Ask</c> from plain tasks: each pair is a task awaiting <c>Ask</c> on its own <see cref="Ponger"/>,
/// one call at a time. Ask builds a temporary reply actor and a Task per call, which is the cost it shows.
/// </summary>
[ReportAs("Akka.NET Ask from tasks", "IPC2")]
public class AkkaAsk
{
    private const int RoundTripsPerInvoke = 10_000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private readonly object _request = Payload64.Pattern();
    private ActorSystem? _system;
    private IActorRef[] _pongers = [];
    private Task[] _clients = [];

    /// <summary>Task/ponger pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts the system and one ponger per pair, and asks each once so it is started before timing.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _system = AkkaSystems.Start();
        _pongers = Enumerable.Range(0, Pairs).Select(pair => _system.ActorOf(Ponger.Props(null), $"ponger-{pair}")).ToArray();
        _clients = new Task[Pairs];
        Run(1);
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
    }

    /// <summary>One operation is one Ask round trip; every Ask is awaited, so nothing is in flight afterwards.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => Run(RoundTripsPerInvoke / Pairs);

    private void Run(int perPair)
    {
        for (var i = 0; i < Pairs; i++)
        {
            var ponger = _pongers[i];
            _clients[i] = Task.Run(() => AskLoop(ponger, perPair));
        }
        Task.WaitAll(_clients);
    }

    private async Task AskLoop(IActorRef ponger, int roundTrips)
    {
        for (var i = 0; i < roundTrips; i++)
        {
            await ponger.Ask<object>(_request, AskTimeout).ConfigureAwait(false);
        }
    }
}
