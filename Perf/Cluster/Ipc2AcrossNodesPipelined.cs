using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// IPC2 across nodes, pipelined: one VM on two node processes on loopback — node 1 is a child process
/// (<see cref="ClusterNodePeer"/>) with an echo server per pair, node 2 is this process with
/// <see cref="InFlight"/> async clients per pair, each awaiting <see cref="EndpointHandle.SendRecAsync"/> in a loop,
/// so every pair has that many calls in flight. The frames a node has ready for its peer share one Akka.Remote
/// envelope. Compare: <see cref="Peers.Akka.AkkaRemoteTellPipelined"/> (the same window of raw Tell).
/// </summary>
[ReportAs("M3Actors async, two node processes", "IPC2 across nodes, 100 in flight per pair")]
public class Ipc2AcrossNodesPipelined
{
    /// <summary>Calls in flight per pair (one per client endpoint: an endpoint makes one call at a time).</summary>
    public const int InFlight = 100;

    private const int RoundTripsPerInvoke = 8_000;

    private TwoNodeVm? _nodes;
    private EndpointHandle[] _clients = [];

    /// <summary>Client/server pairs running at once.</summary>
    [Params(4)]
    public int Pairs { get; set; }

    /// <summary>Starts node 1 as a child process, joins it from node 2 here and binds the clients.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _nodes = TwoNodeVm.Start(Pairs);
        _clients = Enumerable.Range(0, Pairs * InFlight).Select(c => _nodes.Vm.Bind(owner: $"client {c}")).ToArray();
        RunRound(1);
    }, Cleanup);

    /// <summary>Unbinds the clients, ends node 2 and stops node 1's process.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var c in _clients) c.Dispose();
        _clients = [];
        _nodes?.Dispose();
        _nodes = null;
    }

    /// <summary>One operation is one sendrec from node 2 to node 1, <see cref="InFlight"/> per pair at once.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendRecAsyncPipelined() => RunRound(RoundTripsPerInvoke / _clients.Length);

    private void RunRound(int perClient)
    {
        var calls = new Task[_clients.Length];
        for (var c = 0; c < calls.Length; c++) calls[c] = Loop(_clients[c], Endpoint.System(c % Pairs), perClient);
        // The first failure, not an aggregate of hundreds; a round past the timeout throws TimeoutException.
        Task.WhenAll(calls).WaitAsync(M3Host.Timeout).GetAwaiter().GetResult();
    }

    /// <summary><paramref name="roundTrips"/> sendrecs of one 64-byte message from <paramref name="client"/> to
    /// <paramref name="server"/>, one at a time; throws <see cref="IpcException"/> on the first that fails.</summary>
    internal static async Task Loop(EndpointHandle client, Endpoint server, int roundTrips)
    {
        var request = new Message(1);
        for (var i = 0; i < roundTrips; i++)
        {
            var result = await client.SendRecAsync(server, request).ConfigureAwait(false);
            if (result.Status != IpcStatus.Ok)
                throw new IpcException(result.Status,
                    $"SendRecAsync of {client.Endpoint} to {server} across nodes failed: {client.LastError}");
        }
    }
}
