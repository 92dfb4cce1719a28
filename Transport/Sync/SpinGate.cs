using System.Diagnostics;

namespace M3Actors.Transport.Sync;

/// <summary>
/// Decides how long a waiter may spin before parking, from how many threads of all attached processes spin right
/// now: the full budget while spinners do not outnumber the cores, less as they crowd them, none once there are
/// twice as many spinners as cores. A fixed spin collapses when spinners outnumber cores (benchmarks.md: four
/// long-spinning threads on two cores fell to a third of sockets), because spinners then steal the very cores
/// their wakers need. A waiter that yields its core between checks (<see cref="RecordWait"/>, once the gate cut
/// its spin) counts as a spinner too: it still wants a core. The count lives in the arena header; each process
/// also keeps its own share in its process-table entry so a reaper can give back the share of a process killed
/// mid-spin.
/// </summary>
internal sealed unsafe class SpinGate(int* shared, int* own)
{
    /// <summary>The longest spin: about one idle-core wake-up on the reference machine (≈ 25–30 µs).</summary>
    public static readonly TimeSpan MaxSpin = TimeSpan.FromMicroseconds(30);

    /// <summary><see cref="MaxSpin"/> in <see cref="Stopwatch"/> ticks.</summary>
    internal static readonly long MaxSpinTicks = (long)(MaxSpin.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Spinners right now, in every process.</summary>
    public int Spinners => Volatile.Read(ref *shared);

    /// <summary>
    /// The spin budget for <paramref name="spinners"/> spinners (this one included) on <paramref name="cores"/> cores.
    /// </summary>
    public static long BudgetTicks(int spinners, int cores)
    {
        if (spinners <= cores) return MaxSpinTicks;
        var crowd = spinners - cores;
        return crowd >= cores ? 0 : MaxSpinTicks * (cores - crowd) / cores;
    }

    /// <summary>
    /// Counts this thread as a spinner and returns the <see cref="Stopwatch"/> timestamp at which to stop spinning.
    /// </summary>
    public long Enter() => Enter(MaxSpinTicks);

    /// <summary>
    /// As <see cref="Enter()"/>, for a waiter whose own history (<see cref="SpinHistory"/>) allows at most
    /// <paramref name="capTicks"/> of spinning.
    /// </summary>
    public long Enter(long capTicks)
    {
        Interlocked.Increment(ref *own);
        var spinners = Interlocked.Increment(ref *shared);
        return Stopwatch.GetTimestamp() + Math.Min(capTicks, BudgetTicks(spinners, Environment.ProcessorCount));
    }

    /// <summary>This thread stopped spinning.</summary>
    public void Exit()
    {
        Interlocked.Decrement(ref *shared);
        Interlocked.Decrement(ref *own);
    }
}
