namespace M3Actors.Transport.Processes;

/// <summary>An attached process found dead: its process-table entry, pid and incarnation of that entry.</summary>
internal readonly record struct DeadProcess(int Index, int Pid, int Incarnation);
