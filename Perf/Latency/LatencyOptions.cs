using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Latency;

/// <summary>
/// The schedule of a latency run: <see cref="Rounds"/> rounds, each running every churn as "alone, churn in the same
/// VM, churn in another VM" (9 segments of <see cref="Segment"/>), and one measured round trip per
/// <see cref="Period"/>, so the pair measures latency, not throughput.
/// </summary>
public sealed record LatencyOptions(int Rounds, TimeSpan Segment, TimeSpan Period)
{
    /// <summary>Segments per round: each of the 3 churns with an "alone" segment before it and its control after.</summary>
    public const int SegmentsPerRound = 9;

    /// <summary>One round trip every 50 µs: well above a round trip's cost alone, so a slow one does not just queue
    /// the next, yet 20,000 samples per second of a series keep the p99.9 resting on ~20 samples per second.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromMicroseconds(50);

    /// <summary>The un-recorded run of the pair before the first segment (JIT, first wake-ups).</summary>
    public TimeSpan WarmUp => Segment < TimeSpan.FromMilliseconds(500) ? Segment : TimeSpan.FromMilliseconds(500);

    /// <summary>About <paramref name="seconds"/> of measuring: 1 s segments in whole rounds, or one round of shorter
    /// segments below 9 s.</summary>
    public static LatencyOptions ForSeconds(double seconds)
    {
        if (!(seconds > 0) || seconds > 24 * 3600)
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "the latency run needs 0 < seconds <= 86400");
        }
        var rounds = Math.Max(1, (int)(seconds / SegmentsPerRound));
        return new LatencyOptions(rounds, TimeSpan.FromSeconds(seconds / (rounds * SegmentsPerRound)), DefaultPeriod);
    }

    /// <summary>The latency part of a <c>specs</c> run: a second in smoke runs (proves it runs; no bars), 27 s in
    /// quick runs (3 rounds), 90 s in full runs (10 rounds).</summary>
    public static LatencyOptions For(RunMode mode) => mode switch
    {
        RunMode.Smoke => ForSeconds(1),
        RunMode.Quick => ForSeconds(27),
        RunMode.Full => ForSeconds(90),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Round trips one series can record at most: its segments' time ÷ the period, with room for timer
    /// overshoot of each segment (the coordinator sleeps on the busy background CPU).</summary>
    public int CapacityOf(LatencySeries series)
    {
        var segments = series == LatencySeries.Alone ? 3 * Rounds : Rounds;
        var perSegment = (Segment * 1.2 + TimeSpan.FromMilliseconds(50)) / Period;
        return checked((int)Math.Ceiling(segments * perSegment) + segments);
    }

    /// <summary>"3 rounds x 9 segments of 1.00 s, one round trip per 50 us".</summary>
    public override string ToString() =>
        $"{Rounds} round{(Rounds == 1 ? "" : "s")} x {SegmentsPerRound} segments of {Segment.TotalSeconds:0.00} s, " +
        $"one round trip per {Period.TotalMicroseconds:0} us";
}
