using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// COPY1: the requester (a thread endpoint, the benchmark thread) copies a block from its own registered buffer
/// (<c>Endpoint.Self</c>) into the buffer of an actor endpoint blocked in its receive: one kernel entry, one copy.
/// </summary>
[ReportAs("M3Actors thread", "COPY1", Unit = RateUnit.GigabytesPerSecond)]
public class Copy1 : CopyParties
{
    private BufferAddress _own;
    private Endpoint _destination;
    private BufferAddress _target;

    /// <inheritdoc />
    protected override string VmName => "copy1";

    /// <inheritdoc />
    protected override void CreateParties()
    {
        _own = new BufferAddress(Requester.RegisterBuffer(AlignedRegion(0x5A), BufferAccess.Read));
        (_destination, _target) = StartOwner(0, AlignedRegion(0), BufferAccess.Write);
        UntilPartiesBlocked(CopyOnce, () => Requester.LastError);
    }

    /// <summary>One operation copies one block with vcopy.</summary>
    [Benchmark(OperationsPerInvoke = CopiesPerInvoke)]
    public void VCopy()
    {
        for (var i = 0; i < CopiesPerInvoke; i++)
        {
            Check(CopyOnce());
        }
    }

    private IpcStatus CopyOnce() => Requester.VCopy(Endpoint.Self, _own, _destination, _target, Size);
}
