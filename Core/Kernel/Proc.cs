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
/// The kernel's record of one bound endpoint (Minix's <c>struct proc</c>). Every field is guarded by its slot's lock
/// (<see cref="KernelLocks"/>), except <see cref="Msg"/> and <see cref="Result"/> once a call has completed (then only
/// the owner touches them) and <see cref="WaitWord"/>, which deadlock walks read without a lock.
/// </summary>
internal sealed class Proc
{
    internal readonly int Slot;
    internal readonly Endpoint Ep;
    internal readonly IEndpointPort Port;
    internal readonly OwnerKind Kind;
    internal readonly string Owner;
    internal readonly Privileges Privileges;
    internal readonly ulong[] NotifyBits;
    // Rulebook §12.1: one bit per server slot that took a sendrec request of ours which we then abandoned (timeout or
    // cancel). That server still owes a reply; the first message it sends or replies to us is that reply, discarded.
    internal readonly ulong[] OwedReplies;

    internal bool Bound = true;
    internal ProcFlags Flags;
    internal Endpoint SendTo = Endpoint.None;
    internal Endpoint GetFrom = Endpoint.None;

    // The carrier: the outgoing message while Sending (so a send is one copy, caller slot to receiver slot), then the
    // incoming message or reply once the call completes.
    internal Message Msg;
    internal IpcStatus Result;
    // An actor's completed call (or idle receive) not yet taken by its mailbox. Written last, after Msg and Result:
    // a proc with an outcome is in no receive, so nobody writes its Msg until its owner takes the outcome.
    internal volatile bool HasOutcome;
    internal long CallSeq;      // bumped per suspended call, so a late timeout cannot abort a later call

    // Whom this proc waits for, published for lock-free deadlock walks (see WaitsFor); kept equal to the flags'
    // edge by SetState, or Tentative while the proc's own call walks.
    internal long WaitWord;

    // Pinned by a vcopy in chunks: its buffers are being copied, so its owner must not run yet. A call of a pinned
    // proc that completes meanwhile (a delivery, a timeout, a death) keeps its outcome held until the copy ends.
    internal bool Copying;
    internal bool OutcomeHeld;

    // Raised under the kernel's locks before every wakeup of the owner, lowered only when an actor's mailbox finds nothing to
    // run: so an actor mailbox can answer "anything to run?" without a lock and never miss work.
    internal volatile bool WorkHint;

    // FIFO of procs blocked sending to this one (Minix's p_caller_q), linked through NextInQueue.
    internal Proc? QueueHead;
    internal Proc? QueueTail;
    internal Proc? NextInQueue;

    internal BufferTable Buffers = new();
    internal long Sent;
    internal long Received;
    internal string? LastError;

    internal Proc(int slot, Endpoint ep, IEndpointPort port, OwnerKind kind, string owner, Privileges privileges, int slots)
    {
        Slot = slot;
        Ep = ep;
        Port = port;
        Kind = kind;
        Owner = owner;
        Privileges = privileges;
        NotifyBits = new ulong[(slots + 63) / 64];
        OwedReplies = new ulong[(slots + 63) / 64];
    }

    internal bool IsSending => (Flags & ProcFlags.Sending) != 0;
    internal bool IsReceiving => (Flags & ProcFlags.Receiving) != 0;
    internal bool IsReplyPending => (Flags & ProcFlags.ReplyPending) != 0;

    // Blocked in a call the owner made itself; an actor's idle receive does not count.
    internal bool IsBlockedInCall => (Flags & (ProcFlags.Sending | ProcFlags.Receiving)) != 0 && (Flags & ProcFlags.IdleReceive) == 0;

    internal void Enqueue(Proc sender)
    {
        sender.NextInQueue = null;
        if (QueueTail is null) QueueHead = sender;
        else QueueTail.NextInQueue = sender;
        QueueTail = sender;
    }

    internal void Unlink(Proc sender, Proc? previous)
    {
        if (previous is null) QueueHead = sender.NextInQueue;
        else previous.NextInQueue = sender.NextInQueue;
        if (QueueTail == sender) QueueTail = previous;
        sender.NextInQueue = null;
    }

    internal void SetNotify(int slot) => NotifyBits[slot >> 6] |= 1UL << (slot & 63);

    internal void ClearNotify(int slot) => NotifyBits[slot >> 6] &= ~(1UL << (slot & 63));

    internal bool IsOwedReplyBy(int slot) => (OwedReplies[slot >> 6] & (1UL << (slot & 63))) != 0;

    internal void SetOwedReply(int slot) => OwedReplies[slot >> 6] |= 1UL << (slot & 63);

    internal void ClearOwedReply(int slot) => OwedReplies[slot >> 6] &= ~(1UL << (slot & 63));

    internal int CountPendingNotifies()
    {
        var n = 0;
        foreach (var word in NotifyBits) n += System.Numerics.BitOperations.PopCount(word);
        return n;
    }
}
