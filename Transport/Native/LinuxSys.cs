using System.Runtime.InteropServices;

namespace M3Actors.Transport.Native;

/// <summary>
/// The few Linux system calls the transport needs and .NET does not expose: futex, pidfd_open, poll, statx,
/// geteuid. Declared by hand because no library in the project's registry wraps them (see docs/transport.md).
/// </summary>
internal static unsafe partial class LinuxSys
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ESRCH = 3;
    public const int EEXIST = 17;
    public const int ENOSYS = 38;
    public const int ETIMEDOUT = 110;

    public const short PollIn = 0x1;

    /// <summary>Fails with a clear message off Linux, where none of these calls exist.</summary>
    public static void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux()) throw NotLinux();
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            throw new PlatformNotSupportedException(
                "The shared-memory transport supports Linux x64 and arm64, not " +
                $"{RuntimeInformation.ProcessArchitecture}.");
        }
    }

    /// <summary>The error for any other operating system.</summary>
    public static PlatformNotSupportedException NotLinux() => new(
        "The shared-memory transport needs Linux (futex, pidfd, /proc); this is " +
        RuntimeInformation.OSDescription + ".");

    /// <summary>SYS_futex: the numbers differ between x64 and the generic table arm64 uses.</summary>
    public static long FutexNumber => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 202 : 98;

    /// <summary>SYS_pidfd_open: 434 on every architecture (added after the tables were unified).</summary>
    public const long PidfdOpenNumber = 434;

    /// <summary>SYS_gettid: the calling thread's kernel id (what setpriority takes for one thread).</summary>
    public static long GetTidNumber => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 186 : 178;

    /// <summary>setpriority's <c>which</c> for one thread (a tid) on Linux.</summary>
    public const int PrioProcess = 0;

    /// <summary>The errno of the last failed call on this thread.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long Futex(long number, int* address, int op, int value, Timespec* timeout, int* address2,
        int value3);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long PidfdOpen(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "syscall")]
    public static partial long GetTid(long number);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    public static partial int SetPriority(int which, uint who, int niceValue);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, ulong count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>A relative timeout for FUTEX_WAIT (struct timespec: two longs on both 64-bit ABIs).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;

        public static Timespec From(TimeSpan span) => new()
        {
            Seconds = span.Ticks / TimeSpan.TicksPerSecond,
            Nanoseconds = span.Ticks % TimeSpan.TicksPerSecond * 100,
        };
    }

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
