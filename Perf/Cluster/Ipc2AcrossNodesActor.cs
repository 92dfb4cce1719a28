using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// IPC2 across nodes actor to actor, one call in flight per pair: the two node processes of
/// <see cref="Ipc2AcrossNodes"/> (node 1 a child process with an echo server actor per pair), but each client on
/// node 2 is an endpoint actor (<see cref="SendRecClient"/>, system slot 8 + i) whose sendrec suspends it until the
/// REPLY frame comes back and its OnReply issues the next — no thread blocks. This is what
/// <see cref="Peers.Akka.AkkaRemoteTell"/> does (an actor pinger here, an actor ponger in a child process): like
/// with like.
/// </summary>
[ReportAs("M3Actors actor, two node processes", "IPC2 across nodes")]
public class Ipc2AcrossNodesActor
{
    private const int RoundTripsPerInvoke = 2_000;
    private const int FirstClientSlot = 8;

    private TwoNodeVm? _nodes;
    private ClientRounds? _rounds;

    /// <summary>Client/server pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts the two nodes, binds one client actor per pair on node 2 and runs one warm-up round.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _nodes = TwoNodeVm.Start(Pairs);
        _rounds = new ClientRounds(Pairs, _nodes.Describe);
        for (var pair = 0; pair < Pairs; pair++)
        {
            var props = SendRecClient.Props(FirstClientSlot + pair, _nodes.Servers[pair], _rounds.Signal);
            _rounds.Set(pair, _nodes.Vm.ActorOf(props, $"client-{pair}"));
            M3Host.WaitBound(_nodes.Vm, FirstClientSlot + pair);
        }
        _rounds.Warm(RoundTripsPerInvoke);
    }, Cleanup);

    /// <summary>Ends node 2 (its client actors unbind with the VM) and stops node 1's process.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            _nodes?.Dispose();
        }
        finally
        {
            _nodes = null;
            _rounds?.Dispose();
            _rounds = null;
        }
    }

    /// <summary>One operation is one sendrec round trip from a client actor on node 2 to its server on node 1.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendRec() => _rounds!.Run();
}
