using System.Diagnostics;

namespace M3Actors.Smp;

/// <summary>
/// When a mailbox run must end, on Akka's monotonic clock. Akka's mailbox loop (1.5) reads the dispatcher's
/// <c>ThroughputDeadlineTime</c> once at the start of a run and stops after the message during which Akka's clock
/// (whole milliseconds since Akka's start) reaches it: it is compared as an absolute time, so a dispatcher that stores
/// the configured duration there (as Akka's own do) cuts every run to one message once the process has been up
/// longer than that duration. A vCPU therefore stores an absolute due time before each run: the start of the current
/// millisecond plus the run length, which is the same value for every run starting in that millisecond.
/// </summary>
internal readonly struct RunDeadline
{
    /// <summary>The run length a vCPU dispatcher uses when <c>throughput-deadline-time</c> is 0 or absent.</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromMilliseconds(1);

    private readonly long _akkaClockOrigin;
    private readonly long _lengthTicks;

    /// <param name="akkaClock">Akka's high-resolution monotonic clock (the scheduler's), to align with it.</param>
    /// <param name="length">How long one run may go on taking messages.</param>
    public RunDeadline(Func<TimeSpan> akkaClock, TimeSpan length)
    {
        _akkaClockOrigin = Origin(akkaClock);
        _lengthTicks = length.Ticks;
    }

    // The Stopwatch timestamp at which Akka's clock read zero: the tightest of a few reads bracketed by timestamps,
    // so that a first-call cost (JIT, a preemption) between the two clocks does not shift every deadline.
    private static long Origin(Func<TimeSpan> akkaClock)
    {
        var toTimestamp = Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond;
        var (origin, window) = (0L, long.MaxValue);
        for (var i = 0; i < 5; i++)
        {
            var before = Stopwatch.GetTimestamp();
            var akka = akkaClock();
            var after = Stopwatch.GetTimestamp();
            if (after - before >= window) continue;
            window = after - before;
            origin = before + window / 2 - (long)(akka.Ticks * toTimestamp);
        }
        return origin;
    }

    /// <summary>The due time, in Akka clock ticks, of a run starting now. Allocation-free; one clock read.</summary>
    public long DueNow()
    {
        var now = Stopwatch.GetElapsedTime(_akkaClockOrigin).Ticks;
        return now - now % TimeSpan.TicksPerMillisecond + _lengthTicks;
    }
}
