namespace M3Actors.Kernel;

/// <summary>
/// The lock of one slot, and the VM counters of that slot (summed by snapshots). Its waiters spin briefly, then park
/// and are woken as soon as the holder releases (<see cref="Lock"/>): a <see cref="SpinLock"/> waiter whose spin
/// failed slept ~1 ms, far longer than the few dozen instructions it waited for. The one place the lock primitive is
/// named: in a region shared between processes (<see cref="IRegionSharing"/>) it also takes the record's
/// process-shared lock word, after the in-process lock, so the word sees one thread of each process at a time.
/// </summary>
internal sealed class SlotLock(IRegionSharing? shared, int slot)
{
    private readonly Lock _gate = new();

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

    internal bool IsHeldByCurrentThread => _gate.IsHeldByCurrentThread;

    internal void Enter()
    {
        _gate.Enter();
        shared?.Lock(slot);
    }

    internal void Exit()
    {
        shared?.Unlock(slot);
        _gate.Exit();
    }
}
