namespace M3Actors.Transport.Arena;

/// <summary>Why a process could not create or attach to an arena.</summary>
public enum ArenaFailure
{
    /// <summary>The arena file does not exist and the caller did not ask to create it.</summary>
    NotFound,

    /// <summary>The header is not an arena's (bad magic), its checksum fails, or it names another DRVS/VM id.</summary>
    Corrupt,

    /// <summary>The file is shorter than its header or its layout says.</summary>
    Truncated,

    /// <summary>Its creator died before marking it initialised (a crash during creation).</summary>
    Incomplete,

    /// <summary>It was written by another layout version of this code.</summary>
    VersionMismatch,

    /// <summary>Its sizes (slots, record size, process table) differ from the ones asked for.</summary>
    LayoutMismatch,

    /// <summary>The VM id is in use on this machine under another name.</summary>
    NameMismatch,

    /// <summary>The file or its directory belongs to another user.</summary>
    ForeignOwner,

    /// <summary>
    /// The file or its directory is open to others (wider than 0600 / 0700) or is not a plain file/directory.
    /// </summary>
    UnsafePermissions,

    /// <summary>Every process-table entry belongs to a live process.</summary>
    ProcessTableFull,

    /// <summary>Another process held the arena's attach lock for longer than the attach timeout.</summary>
    AttachTimedOut,
}
