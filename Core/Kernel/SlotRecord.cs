using System.Runtime.InteropServices;

namespace M3Actors.Kernel;

/// <summary>Where a slot record is in its life: written last by a bind and first by an unbind.</summary>
internal enum SlotState
{
    /// <summary>Never bound, or unbound: the record's endpoint value keeps the last binding's generation.</summary>
    Free = 0,
    /// <summary>Bound to an owner; the rule may name it.</summary>
    Bound = 1,
    /// <summary>Being unbound: dead to callers, still in the table until its partners are released.</summary>
    Unbinding = 2,
}

/// <summary>
/// The fixed part of one slot's record in a <see cref="KernelRegion"/> (Minix's <c>struct proc</c>, which M3-IPC
/// aligned to L1 lines): everything another process of the VM needs to run the rule on the slot. Four cache lines:
/// the binding and the rule's state (line 0, where the lock word sits too), the message carrier (line 1), the sent
/// counter, queue stamps and privileges (line 2), the owner's name and the received counter (line 3). The three bitmaps of one bit per slot of the VM
/// follow it (<see cref="SlotLayout"/>). Every field is guarded by the slot's lock except those the kernel documents
/// as lock-free (<see cref="WaitWord"/>, <see cref="HasOutcome"/>, <see cref="WorkHint"/>, <see cref="State"/>,
/// <see cref="Incarnation"/> and the queue head read by unbind).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = SlotLayout.FixedSize)]
internal unsafe struct SlotRecord
{
    /// <summary>Bytes of the owner's name field: UTF-8, zero-padded, at most 55 used so a zero ends it.</summary>
    internal const int OwnerNameBytes = 56;

    /// <summary>A <see cref="SlotState"/>.</summary>
    [FieldOffset(0)] internal int State;
    /// <summary>The current binding's endpoint, or the last one's once free (its generation tells stale values).</summary>
    [FieldOffset(4)] internal Endpoint Endpoint;
    /// <summary>Bumped at every bind, so a view of an earlier binding of the slot can tell it is stale.</summary>
    [FieldOffset(8)] internal int Incarnation;
    [FieldOffset(12)] internal ProcFlags Flags;
    [FieldOffset(16)] internal Endpoint SendTo;
    [FieldOffset(20)] internal Endpoint GetFrom;
    [FieldOffset(24)] internal IpcStatus Result;
    /// <summary>Senders blocked on this slot: slot numbers linked through <see cref="NextInQueue"/>; -1 = none.</summary>
    [FieldOffset(28)] internal int QueueHead;
    [FieldOffset(32)] internal int QueueTail;
    [FieldOffset(36)] internal int NextInQueue;
    /// <summary>Bumped per suspended call and never reset, so a late timeout cannot abort a later call.</summary>
    [FieldOffset(40)] internal long CallSeq;
    /// <summary>The published waits-for word (<see cref="WaitsFor"/>).</summary>
    [FieldOffset(48)] internal long WaitWord;
    [FieldOffset(56)] internal bool HasOutcome;
    [FieldOffset(57)] internal bool WorkHint;
    [FieldOffset(58)] internal bool Copying;
    [FieldOffset(59)] internal bool OutcomeHeld;
    /// <summary>A shared region's process-shared lock word (tagged with the holder's process); in a private region
    /// the SlotLock's own test-and-set word.</summary>
    [FieldOffset(60)] internal int LockWord;

    /// <summary>The carrier: the outgoing message while sending, then the incoming message or reply.</summary>
    [FieldOffset(64)] internal Message Msg;

    /// <summary>Messages this slot sent; mostly bumped by its owner, so it shares the owner's line.</summary>
    [FieldOffset(128)] internal long Sent;
    /// <summary>While queued: this sender's stamp from its destination's <see cref="NextEnqueueSeq"/>.</summary>
    [FieldOffset(144)] internal long EnqueueSeq;
    /// <summary>The next stamp this slot gives a sender it queues: its queue's order is derivable.</summary>
    [FieldOffset(152)] internal long NextEnqueueSeq;
    [FieldOffset(160)] internal OwnerKind Kind;
    /// <summary>The owning process's index in the arena's process table (0 in a private region).</summary>
    [FieldOffset(164)] internal int ProcessIndex;
    /// <summary>The privileges' call mask.</summary>
    [FieldOffset(168)] internal IpcCalls Calls;
    /// <summary>1 when the destination bitmap lists the allowed slots, 0 when every slot is allowed.</summary>
    [FieldOffset(172)] internal int RestrictedDestinations;
    /// <summary>
    /// Wakes another process asked of this slot's owner process that its wake thread has not run yet:
    /// <see cref="WakeCompleted"/> and <see cref="WakePending"/> bits, set by the waker, taken by an exchange.
    /// </summary>
    [FieldOffset(176)] internal int WakeRequests;
    /// <summary>
    /// The futex word a thread owner blocked in a call parks on (0 idle, then armed, parked, completed: the
    /// transport's <see cref="IRecordWait"/>, which also tags it); the section that ends the call marks it, and
    /// its waker then completes the owner directly.
    /// </summary>
    [FieldOffset(180)] internal int OwnerWait;
    /// <summary>
    /// While a chunked vcopy pins this record (<see cref="Copying"/>): 1 + the process-table index of the process
    /// running the copy, so that a reaper can unpin the parties of a requester whose process died mid-copy.
    /// </summary>
    [FieldOffset(184)] internal int Copier;

    /// <summary>A <see cref="WakeRequests"/> bit: the owner's suspended call completed.</summary>
    internal const int WakeCompleted = 1;

    /// <summary>A <see cref="WakeRequests"/> bit: work waits for the owner's next receive.</summary>
    internal const int WakePending = 2;

    [FieldOffset(192)] internal fixed byte OwnerName[OwnerNameBytes];

    /// <summary>
    /// Messages this slot received. Bumped by the deliverer, i.e. the partner, on every round trip: it lives on the
    /// name's line (written only by bind) so that write does not pull line 2, which the owner writes (<see cref="Sent"/>,
    /// queue stamps), away from the owner's core.
    /// </summary>
    [FieldOffset(248)] internal long Received;
}
