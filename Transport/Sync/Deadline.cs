using System.Diagnostics;

namespace M3Actors.Transport.Sync;

/// <summary>A point in monotonic time after which a wait gives up (never, for an infinite timeout).</summary>
internal readonly record struct Deadline(long Timestamp)
{
    /// <summary>The deadline <paramref name="timeout"/> from now.</summary>
    public static Deadline After(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return new Deadline(long.MaxValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        return new Deadline(Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>Time left (zero once passed; <see cref="Timeout.InfiniteTimeSpan"/> for no deadline).</summary>
    public TimeSpan Left => Timestamp == long.MaxValue
        ? Timeout.InfiniteTimeSpan
        : TimeSpan.FromSeconds(Math.Max(0, Timestamp - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);

    /// <summary>The smaller of the time left and <paramref name="slice"/>.</summary>
    public TimeSpan LeftOr(TimeSpan slice) => Left == Timeout.InfiniteTimeSpan || Left > slice ? slice : Left;
}
