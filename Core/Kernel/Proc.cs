using System.Runtime.CompilerServices;

namespace M3Actors.Kernel;

/// <summary>How an endpoint's owner runs.</summary>
public enum OwnerKind
{
    /// <summary>A plain thread or async task holding an <see cref="EndpointHandle"/>.</summary>
    Thread,
    /// <summary>An <see cref="EndpointActor"/> behind a rendezvous mailbox.</summary>
    Actor,
    /// <summary>A ghost: the owner runs on another node of the VM (ClusterBridge); its node proxy acts for it.</summary>
    Remote,
}

/// <summary>Blocking state of a proc, as Minix's RTS and MF flags.</summary>
[Flags]
internal enum ProcFlags
{
    None = 0,
    Sending = 1,        // blocked until SendTo takes Msg
    Receiving = 2,      // blocked until a message from GetFrom (or ANY) arrives in Msg
    ReplyPending = 4,   // inside sendrec: only the reply from SendTo/GetFrom ends the call; notifies stay pending
    RequestsOnly = 8,   // inside rcvrqst: only sendrec callers are accepted
    IdleReceive = 16,   // an actor's implicit receive between handlers; its mailbox may withdraw it
}

/// <summary>
/// This process's view of one binding of a slot (Minix's <c>struct proc</c>): the kernel state is the slot's record
/// in the VM's <see cref="KernelRegion"/>, reached through the members below; the view adds only what is per process
/// and managed (the port, the buffer table, <see cref="LastError"/>, the cached owner name and privileges). Every
/// record field is guarded by its slot's lock (<see cref="KernelLocks"/>), except <see cref="Msg"/> and
/// <see cref="Result"/> once a call has completed (then only the owner touches them) and <see cref="WaitWord"/>,
/// which deadlock walks read without a lock.
/// </summary>
/// <remarks>
/// A slot's record is reused by its next binding while views of the earlier one may still be held (a handle, an
/// actor's mailbox, a late timer). Such a view is stale: its incarnation is not the record's. It reads as unbound,
/// with no outcome, no work and the result its binding ended with, and its writes to the outcome and hint
/// are dropped; the kernel checks <see cref="IsCurrent"/> under the slot's lock before it changes anything else.
/// </remarks>
internal sealed unsafe class Proc
{
    internal readonly int Slot;
    internal readonly Endpoint Ep;
    internal readonly IEndpointPort Port;
    internal readonly OwnerKind Kind;
    internal readonly string Owner;
    internal readonly Privileges Privileges;

    internal BufferTable Buffers = new();

    /// <summary>
    /// An actor owner's scheduling state on a vCPU dispatcher, whose vCPU counts this proc's kernel entries; null for
    /// threads and for actors on the thread pool. Set once as the actor binds, before its first call.
    /// </summary>
    internal Smp.ActorSlot? VcpuSlot;
    internal string? LastError;

    /// <summary>
    /// Forgets the last error as a call starts. Written only when set: the view is read by partners' threads on
    /// every call (its port, privileges, record), and a store on every call would pass its cache line back to the
    /// owner's core each time.
    /// </summary>
    internal void ClearLastError()
    {
        if (LastError is not null) LastError = null;
    }

    private readonly KernelRegion _region;      // referenced so the records outlive every view
    private readonly ProcTable _table;          // the kernel's views by slot, to turn queue links into procs
    private readonly SlotRecord* _record;
    private readonly ulong* _notifyBits;
    private readonly ulong* _owedReplies;
    private readonly int _incarnation;
    private IpcStatus _resultAtFree = IpcStatus.NotBound;
    // Set when this process freed the record (MarkFree), before the freeing store: the next bind then rewrites the
    // record's fields (its Result first) while the incarnation is still this view's, so IsCurrent alone would let the
    // owner read the next binding's Ok in that window (a bridge's bind-race loser once read Ok that way).
    private volatile bool _freed;

    /// <summary>A view of the binding <paramref name="region"/>'s record of <paramref name="slot"/> holds now.</summary>
    internal Proc(KernelRegion region, ProcTable table, int slot, IEndpointPort port, string owner,
        Privileges privileges)
    {
        _region = region;
        _table = table;
        _record = region.Record(slot);
        _notifyBits = region.NotifyBits(slot);
        _owedReplies = region.OwedReplies(slot);
        _incarnation = Volatile.Read(ref _record->Incarnation);
        Slot = slot;
        Ep = _record->Endpoint;
        Kind = _record->Kind;
        IsForeign = _record->ProcessIndex != region.ProcessIndex;
        Port = port;
        Owner = owner;
        Privileges = privileges;
    }

    /// <summary>
    /// True for a view of a binding another process of a shared region owns: its port wakes that process, and only
    /// the owner's process ends its calls, unbinds it or reads its outcome.
    /// </summary>
    internal readonly bool IsForeign;

    /// <summary>True while the record still holds this view's binding (bound, being unbound, or just freed).</summary>
    internal bool IsCurrent => Volatile.Read(ref _record->Incarnation) == _incarnation;

    internal bool Bound => Volatile.Read(ref _record->State) == (int)SlotState.Bound && IsCurrent;

    internal ref ProcFlags Flags => ref _record->Flags;
    internal ref Endpoint SendTo => ref _record->SendTo;
    internal ref Endpoint GetFrom => ref _record->GetFrom;

    // The carrier: the outgoing message while Sending (so a send is one copy, caller slot to receiver slot), then the
    // incoming message or reply once the call completes.
    internal ref Message Msg => ref _record->Msg;

    // A stale view reads the result its binding ended with: an unbind completes a blocked call with its reason and
    // wakes the owner only after the record is freed, so a bind racing in before the owner reads must not hide it
    // (the record is read first: a value a later bind wrote is then caught by the checks after it).
    internal IpcStatus Result
    {
        get
        {
            var result = (IpcStatus)Volatile.Read(ref Unsafe.As<IpcStatus, int>(ref _record->Result));
            return _freed || !IsCurrent ? _resultAtFree : result;
        }
        set => _record->Result = value;
    }

    // An actor's completed call (or idle receive) not yet taken by its mailbox. Written last, after Msg and Result:
    // a proc with an outcome is in no receive, so nobody writes its Msg until its owner takes the outcome.
    internal bool HasOutcome
    {
        get => Volatile.Read(ref _record->HasOutcome) && IsCurrent;
        set
        {
            if (IsCurrent) Volatile.Write(ref _record->HasOutcome, value);
        }
    }

    internal ref long CallSeq => ref _record->CallSeq;

    // Whom this proc waits for, published for lock-free deadlock walks (see WaitsFor); kept equal to the flags'
    // edge by SetState, or Tentative while the proc's own call walks.
    internal ref long WaitWord => ref _record->WaitWord;

    // Pinned by a vcopy in chunks: its buffers are being copied, so its owner must not run yet. A call of a pinned
    // proc that completes meanwhile (a delivery, a timeout, a death) keeps its outcome held until the copy ends.
    internal ref bool Copying => ref _record->Copying;
    internal ref bool OutcomeHeld => ref _record->OutcomeHeld;

    // Raised under the kernel's locks before every wakeup of the owner, lowered only when an actor's mailbox finds
    // nothing to run: so an actor mailbox can answer "anything to run?" without a lock and never miss work.
    internal bool WorkHint
    {
        get => Volatile.Read(ref _record->WorkHint) && IsCurrent;
        set
        {
            if (IsCurrent) Volatile.Write(ref _record->WorkHint, value);
        }
    }

    // FIFO of procs blocked sending to this one (Minix's p_caller_q): slot numbers in the records, linked through
    // NextInQueue, each sender stamped in enqueue order. A queued sender stays in the table until it leaves the queue.
    internal Proc? QueueHead => ViewOf(Volatile.Read(ref _record->QueueHead));
    internal Proc? NextInQueue => ViewOf(_record->NextInQueue);

    internal ref long Sent => ref _record->Sent;
    internal ref long Received => ref _record->Received;

    /// <summary>The record itself, for the invariant checks and tests that read it as another process would.</summary>
    internal SlotRecord* Record => _record;

    internal bool IsSending => (Flags & ProcFlags.Sending) != 0;
    internal bool IsReceiving => (Flags & ProcFlags.Receiving) != 0;
    internal bool IsReplyPending => (Flags & ProcFlags.ReplyPending) != 0;

    // Blocked in a call the owner made itself; an actor's idle receive does not count.
    internal bool IsBlockedInCall =>
        (Flags & (ProcFlags.Sending | ProcFlags.Receiving)) != 0 && (Flags & ProcFlags.IdleReceive) == 0;

    /// <summary>The bits of pending notifications, one per slot of the VM.</summary>
    internal Span<ulong> NotifyBits => new(_notifyBits, _region.BitmapWords);

    /// <summary>Starts unbinding: an unbind's first store, so callers see the endpoint dead from here on.</summary>
    internal void MarkUnbinding()
    {
        if (Bound) Volatile.Write(ref _record->State, (int)SlotState.Unbinding);
    }

    /// <summary>Frees the record, an unbind's last store; its endpoint value stays for the staleness check.</summary>
    internal void MarkFree()
    {
        _resultAtFree = _record->Result;
        _freed = true;
        Volatile.Write(ref _record->State, (int)SlotState.Free);
    }

    // The sender's links and stamp are written before it becomes reachable from this queue.
    internal void Enqueue(Proc sender)
    {
        var s = sender._record;
        s->NextInQueue = -1;
        s->EnqueueSeq = _record->NextEnqueueSeq++;
        if (_record->QueueTail < 0) Volatile.Write(ref _record->QueueHead, sender.Slot);
        else _region.Record(_record->QueueTail)->NextInQueue = sender.Slot;
        _record->QueueTail = sender.Slot;
    }

    internal void Unlink(Proc sender, Proc? previous)
    {
        var next = sender._record->NextInQueue;
        if (previous is null) Volatile.Write(ref _record->QueueHead, next);
        else previous._record->NextInQueue = next;
        if (_record->QueueTail == sender.Slot) _record->QueueTail = previous?.Slot ?? -1;
        sender._record->NextInQueue = -1;
    }

    internal void SetNotify(int slot) => _notifyBits[slot >> 6] |= 1UL << (slot & 63);

    internal void ClearNotify(int slot) => _notifyBits[slot >> 6] &= ~(1UL << (slot & 63));

    internal bool IsOwedReplyBy(int slot) => (_owedReplies[slot >> 6] & (1UL << (slot & 63))) != 0;

    internal void SetOwedReply(int slot) => _owedReplies[slot >> 6] |= 1UL << (slot & 63);

    internal void ClearOwedReply(int slot) => _owedReplies[slot >> 6] &= ~(1UL << (slot & 63));

    internal int CountPendingNotifies()
    {
        var n = 0;
        foreach (var word in NotifyBits) n += System.Numerics.BitOperations.PopCount(word);
        return n;
    }

    private Proc? ViewOf(int slot) => slot < 0 ? null : _table.Resolve(slot);
}
