using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace M3Actors.Smp;

/// <summary>
/// How long one vCPU's thread has waited for a host CPU while runnable ("steal time" to the guest it models), read
/// from Linux's <c>/proc/thread-self/schedstat</c> (its second field, in nanoseconds). A vCPU thread opens it for
/// itself (<see cref="OpenForCurrentThread"/>); the preemption tick reads it, only for a run it suspects of holding
/// its vCPU too long, so a run the host kept off the CPU is not taken for one that held its vCPU.
/// </summary>
internal sealed class HostWaitClock : IDisposable
{
    private const string Path = "/proc/thread-self/schedstat";

    private readonly SafeFileHandle _file;
    private readonly byte[] _buffer = new byte[96];

    private HostWaitClock(SafeFileHandle file) => _file = file;

    /// <summary>
    /// The clock of the calling thread, or null where the kernel does not keep scheduler statistics (not Linux, or
    /// a kernel built without schedstat); <paramref name="error"/> then says why when the file exists but failed.
    /// </summary>
    public static HostWaitClock? OpenForCurrentThread(out string? error)
    {
        error = null;
        if (!OperatingSystem.IsLinux() || !File.Exists(Path)) return null;
        try
        {
            var clock = new HostWaitClock(File.OpenHandle(Path));
            if (clock.WaitedNanoseconds() is not null) return clock;
            clock.Dispose();
            error = $"{Path} has no run-queue wait field";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{Path}: {e.Message}";
        }
        return null;
    }

    /// <summary>Nanoseconds the thread has waited runnable for a CPU since it started; null if unreadable.</summary>
    public long? WaitedNanoseconds()
    {
        // A fresh read from offset 0 each time: procfs regenerates the line on every read.
        var length = RandomAccess.Read(_file, _buffer, 0);
        var line = _buffer.AsSpan(0, length);
        var space = line.IndexOf((byte)' ');
        if (space < 0) return null;
        return Utf8Parser.TryParse(line[(space + 1)..], out long waited, out _) ? waited : null;
    }

    public void Dispose() => _file.Dispose();
}
