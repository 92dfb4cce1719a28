using System.Diagnostics;
using M3Actors.Transport.Native;

namespace M3Actors.Transport.Sync;

/// <summary>
/// A lock in one 32-bit word of shared memory, usable from every attached process: 0 when free, else the owner's
/// tag (1 .. 2^30-1: a process-table tag, see <c>ProcessTable.TagOf</c>, or a pid) with bit 30 set once a waiter
/// may be parked. Uncontended acquire and release are one compare-and-swap each; a contended acquire spins within
/// the <see cref="SpinGate"/>'s budget and then parks on the word with a futex. Robust: a waiter that finds the
/// owner dead (per <see cref="ILockOwners"/>) swaps its own tag in and learns <see cref="LockResult.OwnerDied"/>.
/// </summary>
internal static class SharedLock
{
    /// <summary>Set while a waiter may be parked, so the release knows to issue a wake.</summary>
    public const int WaitersBit = 1 << 30;

    /// <summary>The largest owner tag.</summary>
    public const int MaxOwner = WaitersBit - 1;

    /// <summary>
    /// How long a parked waiter sleeps before it asks the operating system whether the owner still lives: an owner
    /// killed holding the lock never wakes anybody, and the process table only learns of it from a watcher.
    /// </summary>
    private static readonly TimeSpan OwnerCheckSlice = TimeSpan.FromMilliseconds(10);

    // This thread's recent contended acquires, which cap its next spin (one per thread: no shared writes).
    [ThreadStatic] private static SpinHistory _history;

    /// <summary>The owner tag in a lock word's value (0: free).</summary>
    public static int OwnerOf(int value) => value & MaxOwner;

    /// <summary>Takes the lock if it is free, without waiting.</summary>
    public static bool TryAcquire(ref int word, int owner)
    {
        CheckOwner(owner);
        return Interlocked.CompareExchange(ref word, owner, 0) == 0;
    }

    /// <summary>
    /// Takes the lock for <paramref name="owner"/>, waiting up to <paramref name="timeout"/>; without a
    /// <paramref name="gate"/> it parks at once (for a rare lock such as the attach lock, taken before the
    /// process has a process-table entry to keep its spinner share in).
    /// </summary>
    public static LockResult Acquire(ref int word, int owner, ILockOwners owners, SpinGate? gate, TimeSpan timeout)
    {
        if (TryAcquire(ref word, owner)) return LockResult.Acquired;
        // A holder the process table already names dead (its entry left, or is being reaped) is taken over at once:
        // spinning or parking for it would only delay the reaper and the dead process's partners.
        if (TryTakeOverDead(ref word, owner, owners)) return LockResult.OwnerDied;
        var deadline = Deadline.After(timeout);
        if (gate is null) return Park(ref word, owner, owners, deadline);
        // How long the whole contended acquire took (spin, park or both) decides how long the next one may spin.
        var startedAt = Stopwatch.GetTimestamp();
        var caught = Spin(ref word, owner, gate);
        var result = caught ? LockResult.Acquired : Park(ref word, owner, owners, deadline);
        _history.Ended(startedAt, caught);
        return result;
    }

    // Waits parked on the word in slices, asking whether its owner lives between them.
    private static LockResult Park(ref int word, int owner, ILockOwners owners, Deadline deadline)
    {
        var checkProcess = false;
        while (true)
        {
            var value = Volatile.Read(ref word);
            if (value == 0)
            {
                // Parked waiters may remain: keep the bit so this owner's release wakes the next one.
                if (Interlocked.CompareExchange(ref word, owner | WaitersBit, 0) == 0) return LockResult.Acquired;
                continue;
            }
            if (OwnerOf(value) == owner)
            {
                throw new InvalidOperationException($"Owner {owner} already holds this lock (it is not reentrant).");
            }
            if (!owners.IsAlive(OwnerOf(value), checkProcess))
            {
                if (Interlocked.CompareExchange(ref word, owner | (value & WaitersBit), value) == value)
                {
                    return LockResult.OwnerDied;
                }
                continue;
            }
            if ((value & WaitersBit) == 0
                && Interlocked.CompareExchange(ref word, value | WaitersBit, value) != value)
            {
                continue;
            }
            var slice = deadline.LeftOr(OwnerCheckSlice);
            if (slice == TimeSpan.Zero) return LockResult.TimedOut;
            checkProcess = Futex.Wait(ref word, value | WaitersBit, slice) == FutexWaitResult.TimedOut;
        }
    }

    /// <summary>Releases a lock <paramref name="owner"/> holds, waking one parked waiter if there may be one.</summary>
    public static void Release(ref int word, int owner)
    {
        CheckOwner(owner);
        while (true)
        {
            var value = Volatile.Read(ref word);
            if (OwnerOf(value) != owner)
            {
                throw new InvalidOperationException(
                    $"Owner {owner} released a lock held by {(value == 0 ? "nobody" : OwnerOf(value))}.");
            }
            if (Interlocked.CompareExchange(ref word, 0, value) != value) continue;
            if ((value & WaitersBit) != 0) Futex.Wake(ref word, 1);
            return;
        }
    }

    /// <summary>
    /// Moves a lock from <paramref name="deadOwner"/> to <paramref name="newOwner"/> if the dead one still holds it:
    /// how a reaper that knows where the dead process's locks are takes them over without waiting on them.
    /// </summary>
    public static bool TryTakeOver(ref int word, int deadOwner, int newOwner)
    {
        CheckOwner(newOwner);
        while (true)
        {
            var value = Volatile.Read(ref word);
            if (OwnerOf(value) != deadOwner) return false;
            if (Interlocked.CompareExchange(ref word, newOwner | (value & WaitersBit), value) == value) return true;
        }
    }

    private static bool TryTakeOverDead(ref int word, int owner, ILockOwners owners)
    {
        while (true)
        {
            var value = Volatile.Read(ref word);
            if (value == 0 || OwnerOf(value) == owner) return false;
            if (owners.IsAlive(OwnerOf(value), checkProcess: false)) return false;
            if (Interlocked.CompareExchange(ref word, owner | (value & WaitersBit), value) == value) return true;
        }
    }

    // Within the gate's budget capped by this thread's history of contended acquires: on a busy box a holder is
    // often descheduled, and spinning for it only delays it further (SpinHistory).
    private static bool Spin(ref int word, int owner, SpinGate gate)
    {
        var cap = _history.CapTicks;
        return cap > 0 && SpinFor(ref word, owner, gate, cap);
    }

    private static bool SpinFor(ref int word, int owner, SpinGate gate, long capTicks)
    {
        var spinUntil = gate.Enter(capTicks);
        try
        {
            while (Stopwatch.GetTimestamp() < spinUntil)
            {
                if (Volatile.Read(ref word) == 0 && Interlocked.CompareExchange(ref word, owner, 0) == 0) return true;
                Thread.SpinWait(8);
            }
            return false;
        }
        finally
        {
            gate.Exit();
        }
    }

    private static void CheckOwner(int owner)
    {
        if (owner is < 1 or > MaxOwner)
        {
            throw new ArgumentOutOfRangeException(nameof(owner), owner, $"A lock owner tag must be 1..{MaxOwner}.");
        }
    }
}
