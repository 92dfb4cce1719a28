using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// COPY1 across nodes: one VM on two nodes (two DRVS and two ActorSystems of this process, on loopback). The requester,
/// a thread endpoint on node 2, copies a block from its own buffer into the buffer of a thread endpoint on node 1 that
/// stays blocked in its receive: a COPYTO/READY round trip, then the block in 64 KiB chunks with 8 in flight, each
/// acknowledged, then DONE and CLOSE (docs/cluster.md, <i>vcopy across nodes</i>).
/// </summary>
[ReportAs("M3Actors thread, two nodes", "COPY1 across nodes", Unit = RateUnit.GigabytesPerSecond)]
public class Copy1AcrossNodes
{
    private const int CopiesPerInvoke = 16;

    private readonly List<BridgeNode> _nodes = [];
    private EndpointHandle? _requester;
    private EndpointHandle? _destination;
    private Task<IpcStatus>? _receiving;
    private BufferAddress _own;
    private BufferAddress _target;

    /// <summary>Bytes per copy.</summary>
    [Params(1024 * 1024)]
    public int Size { get; set; }

    /// <summary>Starts both nodes, the receiving destination on node 1 and the requester on node 2.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        var destinationNode = StartNode(1, seed: null);
        var requesterNode = StartNode(2, seed: $"127.0.0.1:{destinationNode.Port}");
        _destination = destinationNode.Vm.Bind(slot: 0, owner: "destination");
        _target = new BufferAddress(_destination.RegisterBuffer(new byte[Size], BufferAccess.Write));
        var destination = _destination;
        _receiving = Task.Factory.StartNew(() => destination.Receive(Endpoint.Any, out _),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        M3Host.WaitBound(requesterNode.Vm, 0);      // the destination's ghost reached node 2
        _requester = requesterNode.Vm.Bind(owner: "requester");
        var block = new byte[Size];
        new Random(1).NextBytes(block);
        _own = new BufferAddress(_requester.RegisterBuffer(block, BufferAccess.Read));
        // The destination's receive may not have started yet: ProcState until it has.
        var deadline = DateTime.UtcNow + M3Host.Timeout;
        while (CopyOnce() is var status && status != IpcStatus.Ok)
            if (status != IpcStatus.ProcState || DateTime.UtcNow > deadline)
                throw new IpcException(status, $"the first vcopy across nodes failed: {_requester.LastError}");
    }, Cleanup);

    /// <summary>Ends the destination's receive, unbinds both endpoints and ends both nodes.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_requester is not null && _destination is not null)
            _requester.Send(_destination.Endpoint, new Message(1), M3Host.Timeout);
        _receiving?.Wait(M3Host.Timeout);
        _requester?.Dispose();
        _destination?.Dispose();
        foreach (var node in Enumerable.Reverse(_nodes)) node.End();
        _nodes.Clear();
        (_requester, _destination, _receiving) = (null, null, null);
    }

    /// <summary>One operation copies one block across the nodes with vcopy.</summary>
    [Benchmark(OperationsPerInvoke = CopiesPerInvoke)]
    public void VCopy()
    {
        for (var i = 0; i < CopiesPerInvoke; i++)
            if (CopyOnce() is var status and not IpcStatus.Ok)
                throw new IpcException(status, $"vcopy across nodes failed: {_requester!.LastError}");
    }

    private IpcStatus CopyOnce() => _requester!.VCopy(Endpoint.Self, _own, _destination!.Endpoint, _target, Size);

    private BridgeNode StartNode(int nodeId, string? seed)
    {
        var node = BridgeNode.Start(nodeId, seed);
        _nodes.Add(node);
        return node;
    }
}
