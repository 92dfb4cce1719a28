using System.Reflection;
using System.Runtime.CompilerServices;

namespace M3Actors.Kernel;

/// <summary>
/// Reaping a process of a shared region that died (kill -9 at any instruction): the transport's survivor that won
/// the reap calls <see cref="ReleaseDead"/>, then <see cref="RepairAfterDeath"/>, once the dead process's entry is
/// marked reaped, so every lock word it held reads as held by a dead owner and is taken over by the ordinary robust
/// acquire of each section below. The release comes first because the partners wait for it (the bar is 100 ms from
/// the kill) and it needs no pass before it: a record a dead section left half done is one whose lock the dead
/// process held, and every section that takes such a lock over repairs the record first (<see cref="RepairRecord"/>,
/// from the transport's lock). Both steps are idempotent: a reaper that dies midway is replaced by another that
/// runs them again.
/// </summary>
internal sealed partial class IpcKernel
{
    /// <summary>
    /// The first step of a reap: parties a vcopy of the process at <paramref name="deadIndex"/> left pinned are
    /// unpinned, then every record it owned is unbound by the ordinary routine, so its partners get DstDied / SrcDied
    /// (rulebook §7, §12.6). Returns how many it unbound.
    /// </summary>
    internal int ReleaseDead(int deadIndex)
    {
        if (_sharing is null) throw new InvalidOperationException("only a kernel over a shared region reaps processes");
        // Unpinned first: a dead requester that is gone from /proc must not still hold its parties (a copy naming
        // them would get Busy).
        var wake = new Wakeups();
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (!PinnedBy(slot, deadIndex)) continue;
            using (_locks.Enter(slot)) UnpinAfterDeath(slot, deadIndex, ref wake);
        }
        wake.Run();
        var unbound = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (!OwnedBy(slot, deadIndex) || _slots.Resolve(slot) is not { } dead) continue;
            Unbind(dead, IpcStatus.SrcDied);
            unbound++;
        }
        return unbound;
    }

    /// <summary>
    /// The second step of a reap: every slot's section is entered once, which takes over a lock word the dead process
    /// held, and its queue of senders is re-derived from the senders' own records (flags and send-to are written
    /// before a sender is linked, so the records are the truth) and a waits-for word left behind its flags is
    /// republished (<see cref="RepairRecord"/>); owners here that may have missed a wake get one again (a spurious
    /// wake is harmless to an actor's mailbox).
    /// </summary>
    internal void RepairAfterDeath(int deadIndex)
    {
        if (_sharing is null) throw new InvalidOperationException("only a kernel over a shared region reaps processes");
        var wake = new Wakeups();
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            using (_locks.Enter(slot))
            {
                if (_region.StateOf(slot) == SlotState.Free) continue;
                RepairRecord(slot);
                if (_slots.Resolve(slot) is not { IsForeign: false } p) continue;
                if (p.QueueHead is not null) wake.Pending(p);
                if (p.Kind == OwnerKind.Actor && p.HasOutcome) wake.Completed(p);
            }
        }
        wake.Run();
    }

    /// <summary>
    /// Compiles the reap's own code now, so the first death this process reaps does not wait for the JIT while the
    /// dead process's partners wait for their release (the kill campaign measured 13–17 ms p50 from reap begun to
    /// partners released in a freshly attached child, under 4 ms in a process that had reaped before). Its callees
    /// that ordinary calls use (locks, completion, wakeups) are compiled by the traffic.
    /// </summary>
    internal static void PrepareReap()
    {
        string[] names =
        [
            nameof(ReleaseDead), nameof(RepairAfterDeath), nameof(Unbind), nameof(EnterWithQueueOwner),
            nameof(ReleaseQueuedSenders), nameof(ReleasePartners), nameof(ReportUnbound), nameof(RepairRecord),
            nameof(RederiveQueue), nameof(SendersTo), nameof(OwnedBy), nameof(PinnedBy), nameof(UnpinAfterDeath),
        ];
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public
            | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var method in typeof(IpcKernel).GetMethods(all))
        {
            if (Array.IndexOf(names, method.Name) >= 0) RuntimeHelpers.PrepareMethod(method.MethodHandle);
        }
    }

    /// <summary>
    /// The records' own invariants, as any process reads them (for tests and the example after a kill): every
    /// queue is exactly the set of bound records sending to its owner, in stamp order, ending at its tail, and no
    /// record is owned by a process the table no longer holds. Returns the first problem found, or null.
    /// </summary>
    internal unsafe string? CheckRecords()
    {
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            using (_locks.Enter(slot))
            {
                if (_region.StateOf(slot) == SlotState.Free) continue;
                var record = _region.Record(slot);
                if (_sharing is not null && _sharing.ProcessIdOf(record->ProcessIndex) == 0)
                    return $"slot {slot} is owned by process entry {record->ProcessIndex}, which has left";
                var expected = SendersTo(slot);
                var linked = new List<int>();
                for (var s = record->QueueHead; s >= 0 && linked.Count <= _slots.Length;
                     s = _region.Record(s)->NextInQueue)
                {
                    linked.Add(s);
                }
                if (!linked.SequenceEqual(expected))
                {
                    return $"the queue of slot {slot} links [{string.Join(',', linked)}] but the records sending " +
                        $"to it are [{string.Join(',', expected)}]";
                }
                if (record->QueueTail != (linked.Count == 0 ? -1 : linked[^1]))
                    return $"the queue of slot {slot} has tail {record->QueueTail}, not its last sender";
            }
        }
        return null;
    }

    /// <summary>
    /// Repairs what a section of a dead process may have left half done in <paramref name="slot"/>'s record, under
    /// that slot's lock: its queue is re-derived from its senders' records, a partner the flags no longer name (its
    /// writer died between SetState's stores, which name a new partner before the flags and clear an old one after
    /// them) is cleared, and a waits-for word left behind the flags is republished from them. Called by the reaper
    /// for every slot, and by any section whose lock word it took over from a dead holder (before the reap).
    /// </summary>
    internal void RepairRecord(int slot)
    {
        if (_region.StateOf(slot) == SlotState.Free) return;
        RederiveQueue(slot);
        if (_slots.Resolve(slot) is not { } p) return;
        if (!p.IsSending) p.SendTo = Endpoint.None;
        if (!p.IsReceiving) p.GetFrom = Endpoint.None;
        var edge = EdgeOf(p);
        var word = Volatile.Read(ref p.WaitWord);
        var consistent = WaitsFor.IsTentative(word) ? p.Flags == ProcFlags.None : WaitsFor.Edge(word) == edge;
        if (!consistent) WaitsFor.Publish(ref p.WaitWord, edge);
    }

    // Read without the slot's lock, as a filter: UnpinAfterDeath checks again under it.
    private unsafe bool PinnedBy(int slot, int processIndex) =>
        Volatile.Read(ref _region.Record(slot)->Copier) == processIndex + 1;

    private unsafe bool OwnedBy(int slot, int processIndex) =>
        _region.StateOf(slot) != SlotState.Free
        && Volatile.Read(ref _region.Record(slot)->ProcessIndex) == processIndex;

    // Under the owner's lock the set of records sending to it is stable (a sender joins or leaves a queue only
    // under both locks), so the queue is rewritten from that set in stamp order: a link a dead process left half
    // written is corrected, a whole queue is written back unchanged.
    private unsafe void RederiveQueue(int owner)
    {
        var senders = SendersTo(owner);
        var record = _region.Record(owner);
        for (var i = 0; i < senders.Count; i++)
            _region.Record(senders[i])->NextInQueue = i + 1 < senders.Count ? senders[i + 1] : -1;
        record->QueueTail = senders.Count == 0 ? -1 : senders[^1];
        Volatile.Write(ref record->QueueHead, senders.Count == 0 ? -1 : senders[0]);
    }

    // The slots of the records blocked sending to owner's binding, in the order they were stamped into its queue.
    private unsafe List<int> SendersTo(int owner)
    {
        var ep = _region.Record(owner)->Endpoint;
        var senders = new List<int>();
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            var r = _region.Record(slot);
            if (slot == owner || _region.StateOf(slot) == SlotState.Free) continue;
            if ((r->Flags & ProcFlags.Sending) != 0 && r->SendTo == ep) senders.Add(slot);
        }
        senders.Sort((a, b) => _region.Record(a)->EnqueueSeq.CompareTo(_region.Record(b)->EnqueueSeq));
        return senders;
    }
}
