namespace M3Actors.Transport.Processes;

/// <summary>The life of a process-table entry.</summary>
internal enum ProcessState
{
    /// <summary>Nobody: a joiner may claim it.</summary>
    Free = 0,

    /// <summary>Claimed by a joining process that has not finished writing its identity.</summary>
    Joining = 1,

    /// <summary>An attached process.</summary>
    Alive = 2,

    /// <summary>Its process died and a survivor (named by pid in the claim word) is reaping it.</summary>
    Reaping = 3,
}
