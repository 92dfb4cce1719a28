using System.Diagnostics;

namespace M3Actors.Kernel;

/// <summary>
/// The lock of one slot, and the VM counters of that slot (summed by snapshots). A test-and-set word: taking it free
/// is one compare-exchange and releasing it one plain store, about half what <see cref="Lock"/> costs (20 against
/// 38 ns per enter and exit on this box; an actor round trip takes five), since Lock also looks up the owner's
/// thread id and releases with a second interlocked operation. A waiter never sleeps: it spins, then yields its CPU
/// between tries (<see cref="SpinWait"/> without its Sleep(1) step), so it takes the lock as soon as it is released
/// and a holder sharing its CPU gets to run. That is what <see cref="SpinLock"/> lacks: its waiter whose short spin
/// failed slept ~1 ms, far longer than the few dozen instructions it waited for. Every section is short and bounded
/// (vcopy copies in chunks), and the kernel never takes a slot's lock twice on one thread (the lock is not
/// reentrant). The one place the lock primitive is named: in a region shared between processes
/// (<see cref="IRegionSharing"/>) it also takes the record's process-shared lock word, after the in-process word, so
/// the shared word sees one thread of each process at a time.
/// </summary>
internal sealed class SlotLock(IRegionSharing? shared, int slot)
{
    private int _held;      // 1 while taken
    private int _owner;     // managed thread id of the holder, for the kernel's debug-only invariant checks

#pragma warning disable CS0169, IDE0051 // padding only: keeps the counters off the cache lines of neighbouring locks
    private readonly long _pad0, _pad1, _pad2, _pad3, _pad4, _pad5, _pad6, _pad7;
#pragma warning restore CS0169, IDE0051

    internal long Messages;
    internal long Notifications;
    internal long Copies;
    internal long BytesCopied;

#pragma warning disable CS0169, IDE0051
    private readonly long _pad8, _pad9, _pad10, _pad11, _pad12, _pad13, _pad14, _pad15;
#pragma warning restore CS0169, IDE0051

    internal bool IsHeldByCurrentThread =>
        Volatile.Read(ref _held) != 0 && _owner == Environment.CurrentManagedThreadId;

    internal void Enter()
    {
        Debug.Assert(!IsHeldByCurrentThread, "a slot lock is not reentrant");
        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0) WaitAndEnter();
        _owner = Environment.CurrentManagedThreadId;
        shared?.Lock(slot);
    }

    internal void Exit()
    {
        shared?.Unlock(slot);
        _owner = 0;
        Volatile.Write(ref _held, 0);
    }

    // Reads before each compare-exchange, so waiters do not pull the line away from the holder while it is taken.
    private void WaitAndEnter()
    {
        var spinner = new SpinWait();
        do spinner.SpinOnce(sleep1Threshold: -1);
        while (Volatile.Read(ref _held) != 0 || Interlocked.CompareExchange(ref _held, 1, 0) != 0);
    }
}
