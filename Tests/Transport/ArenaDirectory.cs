using M3Actors.Transport.Arena;

namespace M3Actors.Tests.Transport;

/// <summary>
/// A private arena directory for one test under /dev/shm, removed with everything in it at the end. Its name carries
/// the test process's pid, so a run that was killed before its Dispose (a timeout, a cancelled run) leaves nothing
/// for long: the next test run removes every such directory whose process is gone.
/// </summary>
public sealed class ArenaDirectory : IDisposable
{
    private const string Shm = "/dev/shm";
    private const string Prefix = "m3actors-test-";

    static ArenaDirectory() => RemoveLeftovers();

    /// <summary>A fresh directory name (not yet created: the arena code creates it 0700).</summary>
    public string Path { get; } = $"{Shm}/{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Options for VM <paramref name="vmId"/> of DRVS 1 in this directory.</summary>
    internal ArenaOptions Options(int vmId = 1, string name = "vm", int processes = 8) => new()
    {
        Directory = Path, DrvsId = 1, VmId = vmId, VmName = name,
        Layout = ArenaLayout.Default with { ProcessTableSize = processes },
        AttachTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// The attach command for a <see cref="HostProcess"/> with the same arguments as <see cref="Options"/>.
    /// </summary>
    public string AttachCommand(int vmId = 1, string name = "vm", int processes = 8) =>
        $"attach {Path} 1 {vmId} {name} {processes}";

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }

    // Directories of test processes that no longer run (a pid that is not in /proc).
    private static void RemoveLeftovers()
    {
        if (!Directory.Exists(Shm)) return;
        foreach (var dir in Directory.EnumerateDirectories(Shm, Prefix + "*"))
        {
            var name = System.IO.Path.GetFileName(dir)[Prefix.Length..];
            var dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name[..dash], out var pid) && !Directory.Exists($"/proc/{pid}"))
                Directory.Delete(dir, recursive: true);
        }
    }
}
