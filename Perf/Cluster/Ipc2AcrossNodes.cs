using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;
using M3Actors.Perf.Peers.Processes;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// IPC2 across nodes, one call in flight per pair: one VM on two node processes on loopback — node 1 is a child
/// process (<see cref="ClusterNodePeer"/>) with an echo server actor per pair, node 2 is this process with a blocking
/// thread client per pair; each sendrec is a SENDREC frame out and a REPLY frame back through the node proxies.
/// Compare: <see cref="Ipc2AcrossNodesActor"/> (the same with client actors) and
/// <see cref="Peers.Akka.AkkaRemoteTell"/> (raw Tell ping-pong with a child process too).
/// </summary>
[ReportAs("M3Actors thread, two node processes", "IPC2 across nodes")]
public class Ipc2AcrossNodes
{
    private const int RoundTripsPerInvoke = 2_000;

    private TwoNodeVm? _nodes;
    private EndpointHandle[] _clients = [];
    private PairThreads? _threads;

    /// <summary>Client/server pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts node 1 as a child process, joins it from node 2 here and binds one client per pair.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _nodes = TwoNodeVm.Start(Pairs);
        _clients = Enumerable.Range(0, Pairs).Select(p => _nodes.Vm.Bind(owner: $"client {p}")).ToArray();
        _threads = new PairThreads(Pairs, Loop);
        _threads.Run(1);
    }, Cleanup);

    /// <summary>Joins the client threads, ends node 2 and stops node 1's process.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _threads?.Dispose();
        foreach (var c in _clients) c.Dispose();
        _nodes?.Dispose();
        (_threads, _clients, _nodes) = (null, [], null);
    }

    /// <summary>One operation is one blocking sendrec from node 2 to node 1.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendRecThread() => _threads!.Run(RoundTripsPerInvoke / Pairs);

    private void Loop(int pair, int roundTrips)
    {
        var (handle, server) = (_clients[pair], Endpoint.System(pair));
        var message = new Message(1);
        for (var i = 0; i < roundTrips; i++)
        {
            var status = handle.SendRec(server, ref message, M3Host.Timeout);
            if (status != IpcStatus.Ok)
                throw new IpcException(status,
                    $"SendRec of {handle.Endpoint} to {server} across nodes failed: {handle.LastError}");
        }
    }
}
