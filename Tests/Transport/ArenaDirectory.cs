using M3Actors.Transport.Arena;

namespace M3Actors.Tests.Transport;

/// <summary>A private arena directory for one test under /dev/shm, removed with everything in it at the end.</summary>
public sealed class ArenaDirectory : IDisposable
{
    /// <summary>A fresh directory name (not yet created: the arena code creates it 0700).</summary>
    public string Path { get; } = $"/dev/shm/m3actors-test-{Guid.NewGuid():N}";

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
}
