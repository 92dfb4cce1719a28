using System.Diagnostics;
using M3Actors.Transport.Native;

namespace M3Actors.Transport.Sync;

/// <summary>
/// Spin-then-park on a word of the arena: spin within the <see cref="SpinGate"/>'s budget, then futex-wait.
/// </summary>
internal static class SharedWait
{
    /// <summary>
    /// Waits until <paramref name="word"/> no longer holds <paramref name="expected"/>; false when
    /// <paramref name="timeout"/> passed first (<see cref="Timeout.InfiniteTimeSpan"/>: no limit).
    /// </summary>
    public static bool WaitWhile(ref int word, int expected, TimeSpan timeout, SpinGate gate)
    {
        if (Volatile.Read(ref word) != expected) return true;
        var deadline = Deadline.After(timeout);
        var spinUntil = gate.Enter();
        try
        {
            while (Stopwatch.GetTimestamp() < spinUntil)
            {
                if (Volatile.Read(ref word) != expected) return true;
                Thread.SpinWait(8);
            }
        }
        finally
        {
            gate.Exit();
        }
        while (Volatile.Read(ref word) == expected)
        {
            var left = deadline.Left;
            if (left == TimeSpan.Zero) return false;
            Futex.Wait(ref word, expected, left);
        }
        return true;
    }

    /// <summary>
    /// Wakes up to <paramref name="count"/> threads parked on <paramref name="word"/> in any process.
    /// </summary>
    public static int Wake(ref int word, int count) => Futex.Wake(ref word, count);
}
