namespace M3Actors.Transport.Processes;

/// <summary>
/// The first 8 bytes of a process-table entry, changed only by compare-and-swap so that joining, leaving and
/// starting a reap are each one atomic step: low int = state (bits 0..7) and, while reaping, the reaper's pid
/// (bits 8..31; Linux pids stay below 2^22); high int = the entry's process id.
/// </summary>
internal readonly record struct ProcessClaim(long Value)
{
    /// <summary>The claim of a free entry.</summary>
    public static ProcessClaim Free => new(0);

    /// <summary>The entry's state.</summary>
    public ProcessState State => (ProcessState)(Value & 0xFF);

    /// <summary>The process the entry belongs to (0 when free).</summary>
    public int Pid => (int)(Value >> 32);

    /// <summary>While <see cref="ProcessState.Reaping"/>: the pid of the survivor doing it.</summary>
    public int ReaperPid => (int)((Value >> 8) & 0xFF_FFFF);

    /// <summary>True for the states in which the entry's process counts as attached.</summary>
    public bool IsAttached => State is ProcessState.Joining or ProcessState.Alive;

    /// <summary>A claim for <paramref name="pid"/> in <paramref name="state"/>.</summary>
    public static ProcessClaim Of(ProcessState state, int pid) => new(((long)pid << 32) | (uint)state);

    /// <summary>The claim of <paramref name="pid"/>'s entry being reaped by <paramref name="reaperPid"/>.</summary>
    public static ProcessClaim Reaping(int pid, int reaperPid) =>
        new(((long)pid << 32) | ((long)reaperPid << 8) | (uint)ProcessState.Reaping);

    /// <inheritdoc />
    public override string ToString() =>
        State == ProcessState.Reaping ? $"Reaping pid {Pid} (by pid {ReaperPid})" : $"{State} pid {Pid}";
}
