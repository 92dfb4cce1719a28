using System.Runtime.InteropServices;

namespace M3Actors.Smp;

/// <summary>Thread-to-CPU pinning through libc on Linux; other platforms report "unsupported".</summary>
internal static partial class CpuAffinity
{
    // CPU_SETSIZE bits, the size glibc's cpu_set_t uses.
    private const int MaskWords = 1024 / 64;

    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The CPUs this process may run on, ascending; 0..ProcessorCount-1 where affinity is unsupported.</summary>
    /// <remarks>
    /// The mask of the process's main thread (pid = the process id), not of the calling thread: a dispatcher created
    /// on a pinned thread (a vCPU's, a benchmark's measured thread) would otherwise pin every vCPU to that one CPU.
    /// </remarks>
    public static int[] AllowedCpus()
    {
        if (IsSupported)
        {
            Span<ulong> mask = stackalloc ulong[MaskWords];
            if (SchedGetAffinity(Environment.ProcessId, MaskWords * sizeof(ulong), ref MemoryMarshal.GetReference(mask)) == 0)
            {
                var cpus = new List<int>();
                for (var cpu = 0; cpu < MaskWords * 64; cpu++)
                {
                    if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0) cpus.Add(cpu);
                }
                if (cpus.Count > 0) return [.. cpus];
            }
        }
        return Enumerable.Range(0, Environment.ProcessorCount).ToArray();
    }

    /// <summary>Pins the calling thread to <paramref name="cpu"/>; returns 0 or the errno of the failed call.</summary>
    public static int TryPinCurrentThread(int cpu)
    {
        if (cpu >= MaskWords * 64) return Errno.Einval;
        Span<ulong> mask = stackalloc ulong[MaskWords];
        mask[cpu / 64] = 1UL << (cpu % 64);
        return SchedSetAffinity(0, MaskWords * sizeof(ulong), ref MemoryMarshal.GetReference(mask)) == 0
            ? 0
            : Marshal.GetLastPInvokeError();
    }

    /// <summary>The CPU the calling thread is on now, or -1 where that cannot be asked.</summary>
    public static int CurrentCpu() => IsSupported ? SchedGetCpu() : -1;

    // pid 0 means the calling thread; the process id, the process's main thread.
    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint cpusetsize, ref ulong mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int pid, nint cpusetsize, ref ulong mask);

    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    private static partial int SchedGetCpu();

    private static class Errno
    {
        public const int Einval = 22;
    }
}
