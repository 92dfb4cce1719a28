using System.Diagnostics;
using Akka.Actor;
using M3Actors.Kernel;

namespace M3Actors.Actors;

/// <summary>
/// The timeout of one suspended actor call (rulebook §11, §12.3): once the deadline has passed on the monotonic clock,
/// the call is aborted with <see cref="IpcStatus.TimedOut"/>. Akka's scheduler works in ticks (10 ms by default), so a
/// short timeout fires late, never as zero. It should never fire early, but the scheduler is pluggable: a callback
/// that comes before the deadline schedules the remainder instead of aborting.
/// </summary>
internal sealed class CallTimer
{
    private readonly IActionScheduler _scheduler;
    private readonly IpcKernel _kernel;
    private readonly Proc _proc;
    private readonly IEndpointPort _port;
    private readonly long _seq;
    private readonly long _deadline;
    private readonly Cancelable _cancel;
    private readonly Action _fire;

    internal CallTimer(ActorSystem system, IpcKernel kernel, Proc proc, IEndpointPort port, TimeSpan timeout)
    {
        (_scheduler, _kernel, _proc, _port, _seq) = (system.Scheduler.Advanced, kernel, proc, port, proc.CallSeq);
        var ticks = (long)Math.Ceiling(timeout.Ticks * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        _deadline = Stopwatch.GetTimestamp() + ticks;
        _cancel = new Cancelable(_scheduler);
        _fire = Fire;
        _scheduler.ScheduleOnce(timeout, _fire, _cancel);
    }

    /// <summary>
    /// True for <see cref="Timeout.InfiniteTimeSpan"/> and for a timeout too large for the scheduler (over
    /// <see cref="int.MaxValue"/> ms, about 24.8 days): the call then waits without a timer.
    /// </summary>
    internal static bool IsInfinite(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan || timeout.TotalMilliseconds > int.MaxValue;

    /// <summary>Throws before any state changes unless <paramref name="timeout"/> is 0, positive or infinite.</summary>
    internal static void Validate(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                "a timeout is zero (do not wait), positive, or Timeout.InfiniteTimeSpan");
    }

    /// <summary>Stops the timer: the call ended some other way.</summary>
    internal void Cancel() => _cancel.Cancel();

    private void Fire()
    {
        var now = Stopwatch.GetTimestamp();
        if (now < _deadline)
        {
            _scheduler.ScheduleOnce(Stopwatch.GetElapsedTime(now, _deadline), _fire, _cancel);
            return;
        }
        if (_kernel.Abort(_proc, _seq, IpcStatus.TimedOut)) _port.Completed();
    }
}
