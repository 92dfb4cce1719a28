using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;
using M3Actors.Transport;

namespace M3Actors.Perf.Transport;

/// <summary>
/// COPY1 between two processes: the requester (a thread endpoint here, the benchmark thread) copies a block from
/// its own buffer into the buffer of a thread endpoint of the child (<see cref="CrossProcessPeer"/>, test Copy)
/// blocked in its receive. Both buffers come from the processes' copy windows
/// (<see cref="TransportExtensions.AllocateCopyBuffer"/>), so this process copies window to window, in 64 KiB chunks
/// above 64 KiB. The peer is <c>Buffer.MemoryCopy</c> of the same size in one process.
/// </summary>
[ReportAs("M3Actors thread, 2 processes", "COPY1", Unit = RateUnit.GigabytesPerSecond)]
public class Copy1Across
{
    private const int CopiesPerInvoke = 16;

    private CrossProcessVm? _host;
    private EndpointHandle? _requester;
    private BufferAddress _own;
    private Endpoint _destination;

    /// <summary>Block size in bytes (the child's buffer holds the largest).</summary>
    [Params(64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    /// <summary>Starts the child, binds the requester with its buffer and makes the first copy.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _host = CrossProcessVm.Start(CrossProcessPeer.Test.Copy, CrossProcessPeer.ThreadServer, pairs: 1);
        _requester = _host.Vm.Bind(owner: "copy requester");
        var buffer = _host.Vm.AllocateCopyBuffer(Size);
        buffer.Span.Fill(0x5A);     // touched here, so no page fault lands in a measurement
        _own = new BufferAddress(_requester.RegisterBuffer(buffer, BufferAccess.Read));
        _destination = _host.Servers[0];
        FirstCopy();
    }, Cleanup);

    /// <summary>Unbinds the requester, leaves the VM and kills the child.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            _requester?.Dispose();
            _host?.Dispose();
        }
        finally
        {
            _requester = null;
            _host = null;
        }
    }

    /// <summary>One operation copies one block into the other process.</summary>
    [Benchmark(OperationsPerInvoke = CopiesPerInvoke)]
    public void VCopy()
    {
        for (var i = 0; i < CopiesPerInvoke; i++)
        {
            Check(CopyOnce());
        }
    }

    private IpcStatus CopyOnce() => _requester!.VCopy(Endpoint.Self, _own, _destination, new BufferAddress(0), Size);

    // The child binds, then registers its buffer, then blocks in its receive: until then a copy gets Range (no
    // buffer yet) or ProcState (not blocked yet).
    private void FirstCopy()
    {
        var deadline = DateTime.UtcNow + M3Host.Timeout;
        IpcStatus status;
        while ((status = CopyOnce()) is IpcStatus.Range or IpcStatus.ProcState && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
        }
        Check(status);
    }

    private void Check(IpcStatus status)
    {
        if (status != IpcStatus.Ok)
        {
            throw new IpcException(status,
                $"vcopy into the child failed: {_requester!.LastError ?? status.Describe()}" +
                $"{Environment.NewLine}{_host!.Describe()}");
        }
    }
}
