using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;
using M3Actors.Perf.Peers.Processes;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// IPC2 across nodes: one VM on two nodes (two DRVS and two ActorSystems of this process, on loopback) with the
/// <see cref="ReplyServer"/> actors on node 1 and blocking thread clients on node 2, each sendrec a SENDREC frame out
/// and a REPLY frame back through the node proxies. Compare: <see cref="Peers.Akka.AkkaRemoteTell"/>.
/// </summary>
[ReportAs("M3Actors thread, two nodes", "IPC2 across nodes")]
public class Ipc2AcrossNodes
{
    private const int RoundTripsPerInvoke = 2_000;

    private readonly List<BridgeNode> _nodes = [];
    private RoundSignal? _serverErrors;
    private EndpointHandle[] _clients = [];
    private PairThreads? _threads;

    /// <summary>Client/server pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts both nodes, the servers on node 1 and one client handle per pair on node 2.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        var server = StartNode(1, seed: null);
        var client = StartNode(2, seed: $"127.0.0.1:{server.Port}");
        _serverErrors = new RoundSignal(1);
        for (var pair = 0; pair < Pairs; pair++)
        {
            server.Vm.ActorOf(ReplyServer.Props(pair, _serverErrors), $"server-{pair}");
            M3Host.WaitBound(client.Vm, pair);      // the ghost reached node 2
        }
        _clients = Enumerable.Range(0, Pairs).Select(p => client.Vm.Bind(owner: $"client {p}")).ToArray();
        _threads = new PairThreads(Pairs, Loop);
        _threads.Run(1);
    }, Cleanup);

    /// <summary>Joins the client threads and ends both nodes.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _threads?.Dispose();
        foreach (var c in _clients) c.Dispose();
        foreach (var node in Enumerable.Reverse(_nodes)) node.End();
        _nodes.Clear();
        (_threads, _clients) = (null, []);
        _serverErrors?.Dispose();
        _serverErrors = null;
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
                throw new IpcException(status, $"SendRec of {handle.Endpoint} to {server} across nodes failed: {handle.LastError}");
        }
    }

    private BridgeNode StartNode(int nodeId, string? seed)
    {
        var node = BridgeNode.Start(nodeId, seed);
        _nodes.Add(node);
        return node;
    }
}
