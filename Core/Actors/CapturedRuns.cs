using Akka.Dispatch;

namespace M3Actors.Actors;

/// <summary>
/// Lets a thread run the mailboxes that its own wakeups schedule instead of handing each to a pool thread: the
/// transport's wake thread (one per process of a VM shared between processes) captures the runs of the actors it
/// wakes, then runs them itself. A cross-process actor round trip otherwise pays a pool hand-off on each side —
/// on a 2-core VM usually a parked worker's wake-up (≈ 25 µs), where the wake thread, spinning for the next reply,
/// is already running. Only runs scheduled while capturing are taken (by <see cref="VmExecutor"/>); whatever those
/// runs schedule goes to the pool as usual, so an actor that waits for another one never waits for its own thread.
/// Allocation-free once the per-thread list has grown to the largest batch.
/// </summary>
internal static class CapturedRuns
{
    [ThreadStatic] private static List<IRunnable>? _captured;
    [ThreadStatic] private static bool _capturing;

    /// <summary>From now on, runs this thread schedules are kept for <see cref="RunCaptured"/>.</summary>
    internal static void Begin()
    {
        _captured ??= [];
        _capturing = true;
    }

    /// <summary>Keeps <paramref name="run"/> when this thread is capturing; false to schedule it as usual.</summary>
    internal static bool TryCapture(IRunnable run)
    {
        if (!_capturing) return false;
        _captured!.Add(run);
        return true;
    }

    /// <summary>Stops capturing and runs, on this thread and in order, every run captured since
    /// <see cref="Begin"/>.</summary>
    internal static void RunCaptured()
    {
        _capturing = false;
        var captured = _captured;
        if (captured is null) return;
        // Index loop: a run never adds to the list (capturing is off), and foreach would not allow a clear on throw.
        try
        {
            for (var i = 0; i < captured.Count; i++) captured[i].Run();
        }
        finally
        {
            captured.Clear();
        }
    }
}
