namespace M3Actors.Perf.Latency;

/// <summary>
/// The round-trip times of one series, in <see cref="System.Diagnostics.Stopwatch"/> ticks, kept exactly in an
/// array sized before the run: the measuring thread only stores into it, so recording allocates nothing and the
/// percentiles are exact (sorted once afterwards) rather than bucketed. One writer, read after it stopped.
/// </summary>
public sealed class LatencySamples(LatencySeries series, int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private int _count;
    private int _dropped;

    /// <summary>The series these samples belong to.</summary>
    public LatencySeries Series { get; } = series;

    /// <summary>Records one round trip; a sample beyond the capacity is counted as dropped (the pacing bounds the
    /// count, so a drop means the capacity estimate is wrong, and the report shows it).</summary>
    public void Add(long ticks)
    {
        if (_count < _ticks.Length) _ticks[_count++] = ticks;
        else _dropped++;
    }

    /// <summary>The distribution of the recorded round trips.</summary>
    public LatencyDistribution Summarise()
    {
        var sorted = _ticks.AsSpan(0, _count).ToArray();
        Array.Sort(sorted);
        return new LatencyDistribution(Series, _count, _dropped,
            Micros(sorted, 0.50), Micros(sorted, 0.99), Micros(sorted, 0.999), Micros(sorted, 1.0));
    }

    // Nearest rank: the smallest sample with at least q of all samples at or below it.
    private static double Micros(long[] sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1] * 1e6 / System.Diagnostics.Stopwatch.Frequency;
    }
}

/// <summary>One series' round trips: count, samples dropped for lack of room, and percentiles in microseconds.</summary>
public sealed record LatencyDistribution(
    LatencySeries Series, int Count, int Dropped, double P50Micros, double P99Micros, double P999Micros, double MaxMicros);
