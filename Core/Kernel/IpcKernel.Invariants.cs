using System.Diagnostics;

namespace M3Actors.Kernel;

/// <summary>
/// Debug-only checks at the end of every locked section, over the procs that section holds (a snapshot, which holds
/// each slot in turn, checks the whole table). The CI runs the tests in Debug, so a broken invariant fails a test.
/// They check the slot records too, as another process of the VM would read them: a record in the table is bound
/// (or being unbound) to its view's endpoint, and a queue is exactly the set of records sending to its owner.
/// </summary>
internal sealed partial class IpcKernel
{
    [Conditional("DEBUG")]
    private void AssertInvariants(Proc? a, Proc? b = null)
    {
        AssertProc(a);
        AssertProc(b);
    }

    [Conditional("DEBUG")]
    private unsafe void AssertProc(Proc? p)
    {
        // A stale view's record belongs to a later binding, which is checked through its own view.
        if (p is null || !_locks[p.Slot].IsHeldByCurrentThread || !p.IsCurrent) return;
        var record = p.Record;
        Debug.Assert(!p.Bound || _slots[p.Slot] == p, "a bound proc is the table entry of its own slot");
        // A foreign view stays in the table after its owner's process freed the record: only a local one is kept exact.
        Debug.Assert(p.IsForeign || _slots[p.Slot] != p
            || (record->State != (int)SlotState.Free && record->Endpoint == p.Ep
            && p.Ep.Slot == p.Slot), "a record in the table is bound or being unbound, to its view's endpoint");
        Debug.Assert(!(p.IsSending && p.IsReceiving), "a proc is never sending and receiving at once");
        Debug.Assert(p.IsSending || (p.SendTo == Endpoint.None && record->NextInQueue < 0),
            "only a sender names a destination or is linked into a queue");
        var word = Volatile.Read(ref p.WaitWord);
        Debug.Assert(WaitsFor.IsTentative(word) ? p.Flags == ProcFlags.None : WaitsFor.Edge(word) == EdgeOf(p),
            "the published waits-for word agrees with the flags (Tentative only while not blocked)");
        Debug.Assert(!p.OutcomeHeld || p.Copying, "an outcome is held only while a vcopy pins the proc");
        Debug.Assert(!p.HasOutcome || !p.IsBlockedInCall, "a proc with an outcome is in no call");
        AssertQueue(p);
        if (p.IsSending && _locks[p.SendTo.Slot].IsHeldByCurrentThread && !IsGhost(p.SendTo)) AssertQueued(p);
    }

    // A sender whose destination's lock is held too is linked in that destination's queue: the queue is derivable
    // from the senders' own flags. (Membership changes under both locks, so holding both makes the walk exact.)
    private unsafe void AssertQueued(Proc sender)
    {
        var slot = _region.Record(sender.SendTo.Slot)->QueueHead;
        for (var n = 0; slot >= 0 && slot != sender.Slot && n < _slots.Length; n++)
            slot = _region.Record(slot)->NextInQueue;
        Debug.Assert(slot == sender.Slot, "a sender is linked in its destination's queue");
    }

    // A sender to a ghost leaves its queue when the node proxy ships its call (IpcKernel.Ghost.cs) and stays sending
    // until the owner node answers, so only local destinations have queues derivable from their senders.
    private bool IsGhost(Endpoint e) => _slots[e.Slot] is { Kind: OwnerKind.Remote };

    // The whole table against p's queue: every proc sending to p is in it, once (so no slot is in two queues: a
    // sender names one destination). O(slots), so only snapshots run it; the senders to p change only under p's
    // lock, which the caller holds.
    [Conditional("DEBUG")]
    private void AssertQueueIsDerivable(Proc p)
    {
        if (p.Kind == OwnerKind.Remote) return;
        var length = 0;
        for (var s = p.QueueHead; s is not null && length <= _slots.Length; s = s.NextInQueue) length++;
        if (_sharing is not null) return;      // senders in other processes have no view here to count
        var senders = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
            if (_slots[slot] is { } other && other.IsSending && other.SendTo == p.Ep) senders++;
        Debug.Assert(senders == length, "every proc sending to the queue's owner is in its queue, once");
    }

    // Walks p's queue by the slot numbers in the records: every link names a sender in the table that sends to p, in
    // stamp order, ending at the tail.
    private unsafe void AssertQueue(Proc p)
    {
        var record = p.Record;
        Debug.Assert(record->QueueHead < 0 == record->QueueTail < 0, "a queue has both ends or neither");
        int length = 0, last = -1;
        var stamp = long.MinValue;
        for (var slot = record->QueueHead; slot >= 0; last = slot, slot = _region.Record(slot)->NextInQueue)
        {
            if (++length > _slots.Length || _slots.Resolve(slot) is not { } sender)
            {
                Debug.Fail($"the queue of {p.Ep} links slot {slot}, which is not bound, or loops");
                return;
            }
            Debug.Assert(sender.IsSending && sender.SendTo == p.Ep,
                "every queued sender is sending to the queue's owner");
            Debug.Assert(sender.Record->EnqueueSeq > stamp, "a queue is in the order its senders were stamped");
            stamp = sender.Record->EnqueueSeq;
        }
        Debug.Assert(last == record->QueueTail, "the tail is the last sender linked");
    }
}
