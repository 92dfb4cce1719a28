namespace M3Actors.Transport.Processes;

/// <summary>
/// When the stages of one reap happened, as <see cref="System.Diagnostics.Stopwatch"/> timestamps (CLOCK_MONOTONIC,
/// comparable across the processes of the machine): the death seen (<see cref="DeadProcess.DetectedAt"/>), the
/// kernel's reap begun, the dead process's endpoints unbound (their partners' outcomes written and woken), the
/// repair of every record done. For the release-time figures of the tests; one per death, never per call.
/// </summary>
internal readonly record struct ReapTimes(DeadProcess Dead, long Began, long Released, long Repaired, int Unbound);
