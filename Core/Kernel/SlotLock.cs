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
/// the shared word sees one thread of each process at a time. In a private region the in-process word is the
/// record's own <see cref="SlotRecord.LockWord"/> (unused there otherwise), on the cache line every section writes
/// anyway (flags, result, hints): taking the lock then brings that line over with it, where a word of its own was
/// one more line to pass between the cores of two partners per section.
/// </summary>
internal sealed unsafe class SlotLock
{
    private readonly IRegionSharing? _shared;
    private readonly int _slot;
    private readonly int* _recordWord;      // the record's LockWord in a private region; null in a shared one
    private int _held;      // the in-process word in a shared region: 1 while taken
    private int _owner;     // managed thread id of the holder, kept in Debug builds only for the invariant checks

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

    /// <summary>The lock of <paramref name="slot"/>, whose record is <paramref name="record"/>.</summary>
    internal SlotLock(IRegionSharing? shared, int slot, SlotRecord* record)
    {
        _shared = shared;
        _slot = slot;
        _recordWord = shared is null ? &record->LockWord : null;
    }

    /// <summary>Debug builds only (the invariant checks); a Release build does not record the holder.</summary>
    internal bool IsHeldByCurrentThread => Volatile.Read(ref Word) != 0 && _owner == Environment.CurrentManagedThreadId;

    // A private region's record word, or the in-process word beside a shared region's process-shared one.
    private ref int Word => ref _recordWord != null ? ref *_recordWord : ref _held;

    internal void Enter()
    {
        Debug.Assert(!IsHeldByCurrentThread, "a slot lock is not reentrant");
        if (Interlocked.CompareExchange(ref Word, 1, 0) != 0) WaitAndEnter();
        SetOwner(Environment.CurrentManagedThreadId);
        _shared?.Lock(_slot);
    }

    internal void Exit()
    {
        _shared?.Unlock(_slot);
        SetOwner(0);
        Volatile.Write(ref Word, 0);
    }

    // The thread id is a thread-static read (a call into the runtime's TLS on Linux), once per lock and an actor
    // round trip takes several: Release builds, which run no invariant checks, skip it (call and argument compile
    // away).
    [Conditional("DEBUG")]
    private void SetOwner(int thread) => _owner = thread;

    // Reads before each compare-exchange, so waiters do not pull the line away from the holder while it is taken.
    private void WaitAndEnter()
    {
        var spinner = new SpinWait();
        ref var word = ref Word;
        do spinner.SpinOnce(sleep1Threshold: -1);
        while (Volatile.Read(ref word) != 0 || Interlocked.CompareExchange(ref word, 1, 0) != 0);
    }
}
