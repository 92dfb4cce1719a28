using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// COPY2: a third endpoint (the requester, a thread endpoint on the benchmark thread) copies a block from actor A's
/// registered buffer into actor B's while both sit blocked in their receive.
/// </summary>
[ReportAs("M3Actors thread", "COPY2", Unit = RateUnit.GigabytesPerSecond)]
public class Copy2 : CopyParties
{
    private Endpoint _a;
    private BufferAddress _from;
    private Endpoint _b;
    private BufferAddress _to;

    /// <inheritdoc />
    protected override string VmName => "copy2";

    /// <inheritdoc />
    protected override void CreateParties()
    {
        (_a, _from) = StartOwner(0, AlignedRegion(0x5A), BufferAccess.Read);
        (_b, _to) = StartOwner(1, AlignedRegion(0), BufferAccess.Write);
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

    private IpcStatus CopyOnce() => Requester.VCopy(_a, _from, _b, _to, Size);
}
