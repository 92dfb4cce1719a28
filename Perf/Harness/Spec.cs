using System.Globalization;
using M3Actors.Perf.Latency;
using M3Actors.Perf.Wire;

namespace M3Actors.Perf.Harness;

/// <summary>
/// A throughput spec in NBench's sense: one measured result and a pass/fail bar. A bar is either a ratio to a peer
/// measured in the same run (absolute numbers on this machine drift between runs; ratios taken together do not),
/// parity with such a peer (not slower, by a significance test), a ceiling on allocated bytes per operation, a
/// ceiling on a latency series' tail relative to the same run's "alone" series, or a ceiling on the bytes a message
/// costs on the wire between two nodes.
/// </summary>
public abstract record Spec(string Name)
{
    /// <summary>Pass when <paramref name="measured"/>'s rate is at least <paramref name="ratio"/> × <paramref name="peer"/>'s.</summary>
    public static Spec AtLeast(string name, CaseRef measured, double ratio, CaseRef peer) =>
        new RatioSpec(name, measured, ratio, peer);

    /// <summary>
    /// Pass unless <paramref name="measured"/> is slower than <paramref name="peer"/> by more than
    /// <paramref name="margin"/> (a fraction), by a one-sided Mann-Whitney test on the two cases' per-iteration times
    /// (<see cref="NotSlowerSpec"/>): a parity bar.
    /// </summary>
    public static Spec NotSlower(string name, CaseRef measured, CaseRef peer, double margin) =>
        new NotSlowerSpec(name, measured, peer, margin);

    /// <summary>Pass when <paramref name="measured"/> allocates at most <paramref name="bytes"/> per operation.</summary>
    public static Spec AllocatesAtMost(string name, CaseRef measured, long bytes) =>
        new AllocationSpec(name, measured, bytes);

    /// <summary>Pass when the p99.9 round trip of latency series <paramref name="series"/> is at most
    /// <paramref name="ratio"/> × the p99.9 of the "alone" series of the same run.</summary>
    public static Spec TailAtMost(string name, LatencySeries series, double ratio) =>
        new TailLatencySpec(name, series, ratio);

    /// <summary>Pass when a 64-byte message of the wire benchmark's <paramref name="load"/> costs at most
    /// <paramref name="bytes"/> bytes of TCP payload between the two nodes.</summary>
    public static Spec WireBytesAtMost(string name, WireLoad load, double bytes) => new WireBytesSpec(name, load, bytes);

    /// <summary>What the spec reads that <paramref name="results"/> lacks, so a smoke run can check that every spec
    /// still names something the run measures.</summary>
    public abstract IEnumerable<string> Unmeasured(RunResults results);

    /// <summary>Judges the spec on one run's results.</summary>
    public abstract SpecOutcome Evaluate(RunResults results);

    /// <summary>The cases among <paramref name="cases"/> that <paramref name="results"/> lacks.</summary>
    protected static IEnumerable<string> UnmeasuredOf(RunResults results, params CaseRef[] cases) =>
        cases.Where(c => c.Find(results.Measurements) is null).Select(c => c.ToString());

    /// <summary>A failing outcome for a result that is missing.</summary>
    protected SpecOutcome Missing(string missing, string bar) => new(Name, $"no result for {missing}", bar, Passed: false);
}

/// <summary>Rate at least a fraction of a peer's rate in the same run.</summary>
public sealed record RatioSpec(string Name, CaseRef Measured, double Ratio, CaseRef Peer) : Spec(Name)
{
    /// <inheritdoc />
    public override IEnumerable<string> Unmeasured(RunResults results) => UnmeasuredOf(results, Measured, Peer);

    /// <inheritdoc />
    public override SpecOutcome Evaluate(RunResults results)
    {
        var measurements = results.Measurements;
        var bar = string.Create(CultureInfo.InvariantCulture, $"{Ratio:0.00} x peer");
        if (Measured.Find(measurements) is not { Rate: { } rate })
        {
            return Missing(Measured.ToString(), bar);
        }
        if (Peer.Find(measurements) is not { Rate: { } peerRate })
        {
            return Missing(Peer.ToString(), bar);
        }
        var actual = rate / peerRate;
        return new SpecOutcome(Name, string.Create(CultureInfo.InvariantCulture, $"{actual:0.00} x peer"), bar,
            actual >= Ratio);
    }
}

/// <summary>Allocated bytes per operation at most a ceiling (usually 0).</summary>
public sealed record AllocationSpec(string Name, CaseRef Measured, long MaxBytes) : Spec(Name)
{
    /// <inheritdoc />
    public override IEnumerable<string> Unmeasured(RunResults results) => UnmeasuredOf(results, Measured);

    /// <inheritdoc />
    public override SpecOutcome Evaluate(RunResults results)
    {
        var bar = $"{MaxBytes} B/op";
        if (Measured.Find(results.Measurements) is not { Succeeded: true, AllocatedBytesPerOperation: { } allocated })
        {
            return Missing(Measured.ToString(), bar);
        }
        return new SpecOutcome(Name, $"{allocated} B/op", bar, allocated <= MaxBytes);
    }
}

/// <summary>A latency series' p99.9 round trip at most a multiple of the same run's "alone" p99.9.</summary>
public sealed record TailLatencySpec(string Name, LatencySeries Series, double MaxRatio) : Spec(Name)
{
    /// <inheritdoc />
    public override IEnumerable<string> Unmeasured(RunResults results) =>
        new[] { LatencySeries.Alone, Series }.Where(s => results.Latency?.Find(s) is not { Count: > 0 })
            .Select(s => $"latency series {s.Name()}");

    /// <inheritdoc />
    public override SpecOutcome Evaluate(RunResults results)
    {
        var bar = string.Create(CultureInfo.InvariantCulture, $"p99.9 <= {MaxRatio:0.0} x alone");
        if (results.Latency?.Find(Series) is not { Count: > 0 } loaded)
        {
            return Missing($"latency series {Series.Name()}", bar);
        }
        if (results.Latency.Find(LatencySeries.Alone) is not { Count: > 0 } alone)
        {
            return Missing($"latency series {LatencySeries.Alone.Name()}", bar);
        }
        var ratio = loaded.P999Micros / alone.P999Micros;
        return new SpecOutcome(Name, string.Create(CultureInfo.InvariantCulture,
            $"p99.9 {loaded.P999Micros:0} us = {ratio:0.00} x alone ({alone.P999Micros:0} us)"), bar, ratio <= MaxRatio);
    }
}

/// <summary>Bytes on the wire per 64-byte message of one load of the wire benchmark at most a ceiling.</summary>
public sealed record WireBytesSpec(string Name, WireLoad Load, double MaxBytes) : Spec(Name)
{
    /// <inheritdoc />
    public override IEnumerable<string> Unmeasured(RunResults results) =>
        results.Wire?.Find(Load) is null ? [$"wire reading {WireBenchmark.Name(Load)}"] : [];

    /// <inheritdoc />
    public override SpecOutcome Evaluate(RunResults results)
    {
        var bar = string.Create(CultureInfo.InvariantCulture, $"{MaxBytes:0} B per message");
        if (results.Wire?.Find(Load) is not { } reading)
        {
            return Missing($"wire reading {WireBenchmark.Name(Load)}", bar);
        }
        return new SpecOutcome(Name, string.Create(CultureInfo.InvariantCulture,
            $"{reading.BytesPerMessage:0.0} B per message ({reading.InFlight} in flight)"), bar,
            reading.BytesPerMessage <= MaxBytes);
    }
}
