namespace M3Actors.Perf.Latency;

/// <summary>A latency run: how it ran (CPUs, schedule) and the distribution of every series.</summary>
public sealed record LatencyResults(CpuPlan Cpus, LatencyOptions Options, IReadOnlyList<LatencyDistribution> Series)
{
    /// <summary>The distribution of <paramref name="series"/>, or null when the run lacks it.</summary>
    public LatencyDistribution? Find(LatencySeries series) => Series.FirstOrDefault(d => d.Series == series);

    /// <summary>p99.9 of <paramref name="series"/> ÷ p99.9 alone, or null when either is missing or empty.</summary>
    public double? TailRatio(LatencySeries series) =>
        Find(series) is { Count: > 0 } loaded && Find(LatencySeries.Alone) is { Count: > 0 } alone
            ? loaded.P999Micros / alone.P999Micros
            : null;
}
