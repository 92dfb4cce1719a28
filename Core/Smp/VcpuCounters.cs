using System.Runtime.InteropServices;

namespace M3Actors.Smp;

/// <summary>
/// A vCPU's counters and run state, laid out so that the fields only the owning thread writes and the fields
/// other threads write sit on separate cache lines, away from neighbouring objects (no false sharing).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 4 * CacheLine)]
internal struct VcpuCounters
{
    private const int CacheLine = 64;

    // Written by the owning vCPU thread only (plain read + Volatile.Write); read by snapshots with Volatile.Read.
    [FieldOffset(CacheLine + 0)] public long KernelEntries;
    [FieldOffset(CacheLine + 8)] public long IpcDeliveries;
    [FieldOffset(CacheLine + 16)] public long Runs;
    [FieldOffset(CacheLine + 24)] public long Steals;
    [FieldOffset(CacheLine + 32)] public long Migrations;
    [FieldOffset(CacheLine + 40)] public long BusyTicks;
    [FieldOffset(CacheLine + 48)] public long BusySince;

    // Written by any thread (Interlocked): messages dispatched to this vCPU's actors, and the run state.
    [FieldOffset(2 * CacheLine + 0)] public long Messages;
    [FieldOffset(2 * CacheLine + 8)] public int State;
}

/// <summary>Values of <see cref="VcpuCounters.State"/>.</summary>
internal static class VcpuState
{
    /// <summary>Running a mailbox or task.</summary>
    public const int Running = 0;

    /// <summary>Out of work, polling the run queues for a short while.</summary>
    public const int Spinning = 1;

    /// <summary>Blocked on its wake-up semaphore; a producer must wake it.</summary>
    public const int Parked = 2;
}
