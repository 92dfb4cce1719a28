namespace M3Actors.Transport.Arena;

/// <summary>Which arena to open and how: the file is named after the DRVS and VM ids, the name is checked.</summary>
internal sealed record ArenaOptions
{
    /// <summary>The DRVS (distributed system) id.</summary>
    public required int DrvsId { get; init; }

    /// <summary>The VM id; one arena file per DRVS and VM.</summary>
    public required int VmId { get; init; }

    /// <summary>
    /// The VM's name: every process attaching to this VM id must give the same one (at most 63 UTF-8 bytes).
    /// </summary>
    public required string VmName { get; init; }

    /// <summary>The layout every attached process must share.</summary>
    public ArenaLayout Layout { get; init; } = ArenaLayout.Default;

    /// <summary>The per-user directory of arena files (created 0700 when missing).</summary>
    public string Directory { get; init; } = DefaultDirectory;

    /// <summary>Create the arena when no file exists (exactly one of several racing processes creates it).</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>How long to wait for another process's creation to finish or for the attach lock.</summary>
    public TimeSpan AttachTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Watch other processes through pidfds (true, where the kernel has pidfd_open) or only by polling their pid and
    /// start time in /proc every watch period (false: what older kernels get; tests use it to cover that path).
    /// </summary>
    public bool WatchWithPidfd { get; init; } = true;

    /// <summary><c>/dev/shm/m3actors-&lt;uid&gt;</c>: tmpfs, so the arena is memory, never written to disk.</summary>
    public static string DefaultDirectory => $"/dev/shm/m3actors-{Native.LinuxSys.GetEuid()}";

    /// <summary>The arena file's path.</summary>
    public string FilePath => System.IO.Path.Combine(Directory, $"drvs{DrvsId}-vm{VmId}.arena");

    /// <summary>Throws <see cref="ArgumentException"/> for ids, name or layout out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(DrvsId);
        ArgumentOutOfRangeException.ThrowIfNegative(VmId);
        ArgumentException.ThrowIfNullOrEmpty(VmName);
        ArgumentException.ThrowIfNullOrEmpty(Directory);
        if (System.Text.Encoding.UTF8.GetByteCount(VmName) > ArenaHeader.MaxNameBytes)
        {
            throw new ArgumentException(
                $"The VM name '{VmName}' is longer than {ArenaHeader.MaxNameBytes} UTF-8 bytes.", nameof(VmName));
        }
        Layout.Validate();
    }
}
