namespace M3Actors.Transport;

/// <summary>
/// Which VM of this machine to attach to, and how: the VM's own options (its id and name name the arena file; its
/// slot counts fix the arena's layout) plus the arena's. Every process of the VM must give the same name and slot
/// counts, else the attach fails with an <see cref="Arena.ArenaException"/>.
/// </summary>
public sealed record SharedVmOptions
{
    /// <summary>The VM: id, name (at most <see cref="VmOptions.MaxNameLength"/> characters), slots and privileges.
    /// </summary>
    public required VmOptions Vm { get; init; }

    /// <summary>The DRVS (distributed system) id: one arena file per DRVS and VM id.</summary>
    public int DrvsId { get; init; }

    /// <summary>Create the VM's arena when no process has yet (the first of several racing processes does).</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>How many processes may be attached at once (fixed by the arena's creator; 1..1022).</summary>
    public int MaxProcesses { get; init; } = 64;

    /// <summary>The per-user directory of arena files; null for <c>/dev/shm/m3actors-&lt;uid&gt;</c>.</summary>
    public string? Directory { get; init; }

    /// <summary>How long to wait for another process's creation of the arena or for its attach lock.</summary>
    public TimeSpan AttachTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bytes of this process's copy window, the shared memory <see cref="TransportExtensions.AllocateCopyBuffer"/>
    /// takes vcopy buffers from (1 MiB..2 GiB − 64 KiB; a sparse file, so only the pages of buffers cost memory).
    /// </summary>
    public long CopyWindowBytes { get; init; } = 256L * 1024 * 1024;
}
