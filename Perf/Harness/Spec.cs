using System.Globalization;

namespace M3Actors.Perf.Harness;

/// <summary>
/// A throughput spec in NBench's sense: one measured case and a pass/fail bar. A bar is either a ratio to a peer
/// measured in the same run (absolute numbers on this machine drift between runs; ratios taken together do not)
/// or a ceiling on allocated bytes per operation.
/// </summary>
public abstract record Spec(string Name, CaseRef Measured)
{
    /// <summary>Pass when <paramref name="measured"/>'s rate is at least <paramref name="ratio"/> × <paramref name="peer"/>'s.</summary>
    public static Spec AtLeast(string name, CaseRef measured, double ratio, CaseRef peer) =>
        new RatioSpec(name, measured, ratio, peer);

    /// <summary>Pass when <paramref name="measured"/> allocates at most <paramref name="bytes"/> per operation.</summary>
    public static Spec AllocatesAtMost(string name, CaseRef measured, long bytes) =>
        new AllocationSpec(name, measured, bytes);

    /// <summary>Every case the spec reads, so a smoke run can check that they all exist.</summary>
    public abstract IEnumerable<CaseRef> Cases { get; }

    /// <summary>Judges the spec on one run's measurements.</summary>
    public abstract SpecOutcome Evaluate(IReadOnlyList<Measurement> measurements);

    /// <summary>A failing outcome for a case that produced no number.</summary>
    protected SpecOutcome Unmeasured(CaseRef missing, string bar) =>
        new(Name, $"no result for {missing}", bar, Passed: false);
}

/// <summary>Rate at least a fraction of a peer's rate in the same run.</summary>
public sealed record RatioSpec(string Name, CaseRef Measured, double Ratio, CaseRef Peer) : Spec(Name, Measured)
{
    /// <inheritdoc />
    public override IEnumerable<CaseRef> Cases => [Measured, Peer];

    /// <inheritdoc />
    public override SpecOutcome Evaluate(IReadOnlyList<Measurement> measurements)
    {
        var bar = string.Create(CultureInfo.InvariantCulture, $"{Ratio:0.00} x peer");
        if (Measured.Find(measurements) is not { Rate: { } rate })
        {
            return Unmeasured(Measured, bar);
        }
        if (Peer.Find(measurements) is not { Rate: { } peerRate })
        {
            return Unmeasured(Peer, bar);
        }
        var actual = rate / peerRate;
        return new SpecOutcome(Name, string.Create(CultureInfo.InvariantCulture, $"{actual:0.00} x peer"), bar,
            actual >= Ratio);
    }
}

/// <summary>Allocated bytes per operation at most a ceiling (usually 0).</summary>
public sealed record AllocationSpec(string Name, CaseRef Measured, long MaxBytes) : Spec(Name, Measured)
{
    /// <inheritdoc />
    public override IEnumerable<CaseRef> Cases => [Measured];

    /// <inheritdoc />
    public override SpecOutcome Evaluate(IReadOnlyList<Measurement> measurements)
    {
        var bar = $"{MaxBytes} B/op";
        if (Measured.Find(measurements) is not { Succeeded: true, AllocatedBytesPerOperation: { } allocated })
        {
            return Unmeasured(Measured, bar);
        }
        return new SpecOutcome(Name, $"{allocated} B/op", bar, allocated <= MaxBytes);
    }
}
