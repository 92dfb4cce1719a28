using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;
using M3Actors.Perf.Peers.Processes;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// COPY1 across nodes: one VM on two node processes on loopback, as the IPC2 cases run — node 1 is a child process
/// (<see cref="ClusterNodePeer.ServeCopyDestination"/>) whose destination, a thread endpoint, stays blocked in its
/// receive; the requester, a thread endpoint on node 2 in this process, copies a block from its own buffer into the
/// destination's: a COPYTO/READY round trip, then the block in 64 KiB chunks with 8 in flight, each acknowledged, then
/// DONE and CLOSE (docs/cluster.md, <i>vcopy across nodes</i>). The allocation column counts node 2 (the source's
/// side) only.
/// </summary>
[ReportAs("M3Actors thread, two node processes", "COPY1 across nodes", Unit = RateUnit.GigabytesPerSecond)]
public class Copy1AcrossNodes
{
    private const int CopiesPerInvoke = 16;

    private PeerProcess? _destinationNode;
    private BridgeNode? _requesterNode;
    private EndpointHandle? _requester;
    private Endpoint _destination;
    private BufferAddress _own;

    /// <summary>Bytes per copy.</summary>
    [Params(1024 * 1024)]
    public int Size { get; set; }

    /// <summary>Starts node 1 (the destination) as a child process, joins it from node 2 here and binds the
    /// requester.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _destinationNode = PeerProcess.Start(PeerServer.ClusterCopyNode,
            Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _requesterNode = BridgeNode.Start(2, seed: _destinationNode.Address);
        _destination = M3Host.WaitBound(_requesterNode.Vm, ClusterNodePeer.CopyDestinationSlot);   // its ghost is here
        _requester = _requesterNode.Vm.Bind(owner: "requester");
        var block = new byte[Size];
        new Random(1).NextBytes(block);
        _own = new BufferAddress(_requester.RegisterBuffer(block, BufferAccess.Read));
        // The destination's receive may not have started yet: ProcState until it has.
        var deadline = DateTime.UtcNow + M3Host.Timeout;
        while (CopyOnce() is var status && status != IpcStatus.Ok)
            if (status != IpcStatus.ProcState || DateTime.UtcNow > deadline)
                throw new IpcException(status, $"the first vcopy across nodes failed: {_requester.LastError}");
    }, Cleanup);

    /// <summary>Unbinds the requester, ends node 2 and stops node 1's process.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _requester?.Dispose();
        _requesterNode?.End();
        _destinationNode?.Dispose();
        (_requester, _requesterNode, _destinationNode) = (null, null, null);
    }

    /// <summary>One operation copies one block across the nodes with vcopy.</summary>
    [Benchmark(OperationsPerInvoke = CopiesPerInvoke)]
    public void VCopy()
    {
        for (var i = 0; i < CopiesPerInvoke; i++)
            if (CopyOnce() is var status and not IpcStatus.Ok)
                throw new IpcException(status, $"vcopy across nodes failed: {_requester!.LastError}");
    }

    // The destination's buffer 0, from offset 0: the block the child registered.
    private IpcStatus CopyOnce() =>
        _requester!.VCopy(Endpoint.Self, _own, _destination, new BufferAddress(0), Size);
}
