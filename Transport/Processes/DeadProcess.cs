namespace M3Actors.Transport.Processes;

/// <summary>
/// An attached process found dead: its process-table entry, pid and incarnation of that entry, and when this
/// survivor saw the death (a <see cref="System.Diagnostics.Stopwatch"/> timestamp: CLOCK_MONOTONIC, so comparable
/// across the processes of the machine; for the release-time figures of the tests).
/// </summary>
internal readonly record struct DeadProcess(int Index, int Pid, int Incarnation, long DetectedAt);
