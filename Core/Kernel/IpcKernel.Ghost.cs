namespace M3Actors.Kernel;

/// <summary>
/// Ghosts: endpoints of this VM whose owner runs on another node (distribution.md §2). A ghost is an ordinary proc
/// of owner kind <see cref="OwnerKind.Remote"/>, so local calls to it validate, queue, time out and take part in the
/// deadlock walk exactly as calls to a local endpoint do. It is never receiving: a call to it queues, and its port
/// (the node proxy's) ships the queued call to the owner node (<see cref="TakeShipments"/>), leaving the caller
/// blocked until the owner node's answer completes it (<see cref="CompleteShipped"/>). The other way round, the
/// proxy makes a remote caller's call through that caller's ghost (<see cref="CallAs"/>), so a local server sees a
/// normal proc: it can receive from it by name, rcvrqst and reply to it.
/// </summary>
internal sealed partial class IpcKernel
{
    /// <summary>The port of a ghost: tells which node hosts the endpoint's owner (for /proc).</summary>
    internal interface IGhostPort : IEndpointPort
    {
        /// <summary>The DRVS node that hosts the owner.</summary>
        int NodeId { get; }

        /// <summary>
        /// The owner as /proc shows it: its node and the name the directory lists; only the node for a ghost made for
        /// a caller's frame before the directory listed it (the name follows once it does).
        /// </summary>
        string Owner { get; }

        /// <summary>
        /// Call <paramref name="correlation"/> of local <paramref name="caller"/> to this ghost was abandoned (timed
        /// out or cancelled) here; called outside the kernel's locks. A call already shipped is still blocked: the
        /// owner node's answer to the CANCEL ends it (two-phase cancel, see IsShipped).
        /// </summary>
        void Abandoned(Endpoint caller, long correlation);

        /// <summary>
        /// sendnb of local <paramref name="caller"/> to this ghost: asks the owner node, which delivers
        /// <paramref name="m"/> only if the endpoint is receiving from the caller right now, and blocks for its
        /// answer (Ok, NotReady, or the owner's error; NotConnected if the node is lost). Called outside the locks.
        /// </summary>
        IpcStatus SendNb(Endpoint caller, in Message m);

        /// <summary>
        /// Call <paramref name="correlation"/> of local <paramref name="initiator"/> blocked on a chain of blocked
        /// endpoints that leaves this node at this ghost: send a deadlock probe after it to the owner node, which
        /// goes on from there (the cycle, if any, closes through other nodes). Called outside the locks.
        /// </summary>
        void Probe(Endpoint initiator, long correlation);
    }

    /// <summary>Hears of local binds and unbinds (never of ghosts), outside the slot locks; must not block.</summary>
    internal interface IBindObserver
    {
        /// <summary>A local endpoint was bound.</summary>
        void Bound(Endpoint endpoint, string owner);

        /// <summary>A local endpoint was unbound.</summary>
        void Unbound(Endpoint endpoint);
    }

    private IBindObserver? _bindObserver;
    private Func<int, bool>? _ownsUserSlot;

    /// <summary>
    /// Attaches a bridge: from now on binds pick user slots only where <paramref name="ownsUserSlot"/> says this node
    /// may (the slot partition keeps endpoints unique across nodes without a global lock), and every local bind and
    /// unbind is reported to <paramref name="observer"/>. Returns the endpoints bound so far, for the directory.
    /// </summary>
    internal IReadOnlyList<(Endpoint Endpoint, string Owner)> AttachBridge(IBindObserver observer, Func<int, bool> ownsUserSlot)
    {
        lock (_bindGate)
        {
            _bindObserver = observer;
            _ownsUserSlot = ownsUserSlot;
            var bound = new List<(Endpoint, string)>();
            for (var slot = 0; slot < _slots.Length; slot++)
                if (_slots[slot] is { Bound: true } p && p.Kind != OwnerKind.Remote) bound.Add((p.Ep, p.Owner));
            return bound;
        }
    }

    // Bind's partition check: a user slot another node allocates from is refused even when free here, since its
    // ghost may simply not have arrived yet.
    private void CheckPartition(int slot)
    {
        if (slot >= _systemSlots && slot < _slots.Length && _ownsUserSlot is { } owns && !owns(slot))
            throw new IpcException(IpcStatus.SlotUsed, $"user slot {slot} belongs to another node's partition");
    }

    private bool MayAllocate(int slot) => _ownsUserSlot is not { } owns || owns(slot);

    private void ReportBound(Proc p)
    {
        if (p.Kind != OwnerKind.Remote) _bindObserver?.Bound(p.Ep, p.Owner);
    }

    private void ReportUnbound(Proc p)
    {
        if (p.Kind != OwnerKind.Remote && _running) _bindObserver?.Unbound(p.Ep);
    }

    /// <summary>
    /// Binds a ghost for <paramref name="endpoint"/>, hosted on another node; its generation becomes the slot's, so
    /// older values stay stale. Throws <see cref="IpcException"/> SlotUsed when the slot holds anything.
    /// </summary>
    internal Proc BindGhost(Endpoint endpoint, IGhostPort port, string owner)
    {
        lock (_bindGate)
        {
            if (!_running) throw new IpcException(IpcStatus.VmNotRunning, "cannot bind a ghost: the VM has ended");
            var s = endpoint.Slot;
            if (endpoint.IsSpecial || (uint)s >= (uint)_slots.Length)
                throw new IpcException(IpcStatus.Range, $"{endpoint} is not an endpoint of this VM");
            Proc p;
            using (_locks.Enter(s))
            {
                if (_slots[s] is { } holder)
                    throw new IpcException(IpcStatus.SlotUsed, $"slot {s} is already bound to {holder.Owner} as {holder.Ep}");
                if (_region.StateOf(s) != SlotState.Free)
                    throw new IpcException(IpcStatus.SlotUsed, $"slot {s} is already bound to {_region.OwnerName(s)}");
                // The record keeps the owner node's generation, so later local binds of the slot stay newer than it.
                var privileges = _privileges(s);
                _region.Bind(s, endpoint, OwnerKind.Remote, owner, privileges);
                p = new Proc(_region, _slots, s, port, owner, privileges);
                _slots.Set(p);
                AssertInvariants(p);
            }
            if (_bindWaiters.Remove(s, out var waiter)) waiter.TrySetResult(p.Ep);
            return p;
        }
    }

    // The port of the ghost p is sending to, if any (p may already be shipped: then only the owner node can withdraw
    // its call). Holds p's lock and its queue owner's.
    private IGhostPort? GhostOf(Proc p) => p.IsSending && Lookup(p.SendTo) is { Port: IGhostPort port } ? port : null;

    // Two-phase cancel: a call its ghost's port has shipped is not ended by a timeout or cancellation here (Abort
    // leaves it blocked and the port sends CANCEL): only the owner node knows whether it was delivered, and its
    // answer decides — TimedOut when it withdrew the call there, else the call's own outcome (a send delivered just
    // before the CANCEL returns Ok) — so no send is both reported timed out and delivered. A call still queued on
    // the ghost here is withdrawn at once. Holds p's lock and the ghost's.
    private bool IsShipped(Proc p)
    {
        for (var s = Lookup(p.SendTo)?.QueueHead; s is not null; s = s.NextInQueue)
            if (s == p) return false;
        return true;
    }

    /// <summary>The proc bound at <paramref name="slot"/> (a ghost or a local one), or null.</summary>
    internal Proc? ProcAt(int slot) => (uint)slot < (uint)_slots.Length ? _slots[slot] : null;

    /// <summary>
    /// Removes a ghost: callers blocked on it (queued, shipped, or receiving from it) end with
    /// <paramref name="reason"/>, then it is unbound like any endpoint.
    /// </summary>
    internal void UnbindGhost(Proc ghost, IpcStatus reason)
    {
        FailCallers(ghost, reason);
        Unbind(ghost, reason);
    }

    /// <summary>
    /// Ends with <paramref name="reason"/> every local call blocked on the ghost: senders queued on it or already
    /// shipped, and receivers waiting for it by name (an actor's idle receive is in no call and stays). The ghost's
    /// own call on behalf of its remote owner stays until the ghost is unbound: the node may come back.
    /// </summary>
    internal void FailCallers(Proc ghost, IpcStatus reason)
    {
        var wake = new Wakeups();
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (slot == ghost.Slot || _slots[slot] is null) continue;
            using (_locks.Enter(slot, ghost.Slot))
            {
                if (_slots[slot] is not { } other || !other.IsBlockedInCall) continue;
                var sending = other.IsSending && other.SendTo == ghost.Ep;
                if (!sending && !(other.IsReceiving && other.GetFrom == ghost.Ep)) continue;
                Withdraw(other);
                Complete(other, reason, ref wake);
                other.LastError = $"{ghost.Ep} is on a node that is not connected ({reason.Describe()})";
                AssertInvariants(other, ghost);
            }
        }
        wake.Run();
    }

    /// <summary>
    /// Takes what waits for the ghost's owner into <paramref name="into"/>: pending notifications (cleared: the owner
    /// node coalesces them again) and queued senders (each stays blocked, sending to the ghost, until
    /// <see cref="CompleteShipped"/>; its call sequence is the correlation id). Each sender is taken in one section
    /// with the notifications pending at that moment, which go first: a caller's notification made before it
    /// blocked is set under the ghost's lock before its send queues, so each caller's calls stay in order.
    /// </summary>
    internal void TakeShipments(Proc ghost, List<Shipment> into)
    {
        while (true)
        {
            var first = ghost.QueueHead;
            using (_locks.Enter(ghost.Slot, first?.Slot ?? KernelLocks.None))
            {
                if (ghost.QueueHead != first) continue;     // it timed out, or another joined an empty queue
                for (var slot = FindNotify(ghost, Endpoint.Any); slot >= 0; slot = FindNotify(ghost, Endpoint.Any))
                {
                    ghost.ClearNotify(slot);
                    // An unbind clears its bits under this lock before it frees the slot, so the notifier is there.
                    into.Add(new Shipment(_slots[slot]!.Ep, 0, IpcCalls.Notify, default));
                }
                if (first is null) return;
                ghost.Unlink(first, null);
                var call = first.IsReplyPending ? IpcCalls.SendRec : IpcCalls.Send;
                into.Add(new Shipment(first.Ep, first.CallSeq, call, first.Msg));
                AssertInvariants(first, ghost);
            }
        }
    }

    /// <summary>
    /// The owner node answered call <paramref name="correlation"/> of local <paramref name="caller"/> to the ghost
    /// <paramref name="ghost"/>: completes it with <paramref name="status"/> (and, for a sendrec, the reply). Exactly
    /// once: an answer to a call that already ended (timed out, cancelled, superseded) is ignored and false returned
    /// — rulebook §12.1, a late reply never completes a later call.
    /// </summary>
    internal bool CompleteShipped(Endpoint caller, Endpoint ghost, long correlation, IpcStatus status, in Message reply)
    {
        if (caller.IsSpecial || (uint)caller.Slot >= (uint)_slots.Length) return false;
        if (_slots[caller.Slot] is not { Kind: not OwnerKind.Remote } p || p.Ep != caller) return false;
        var wake = new Wakeups();
        using (EnterWithQueueOwner(p))
        {
            if (!p.Bound || p.CallSeq != correlation || !p.IsBlockedInCall || !p.IsSending || p.SendTo != ghost)
                return false;
            var sendRec = p.IsReplyPending;
            if (status == IpcStatus.TimedOut) Interlocked.Increment(ref _timeouts);    // withdrawn there (two-phase)
            Withdraw(p);
            if (status == IpcStatus.Ok)
            {
                p.Sent++;
                if (sendRec)
                {
                    p.Msg = reply;
                    p.Msg.Source = ghost;
                    p.Received++;
                }
            }
            Complete(p, status, ref wake);
            AssertInvariants(p);
        }
        wake.Run();
        return true;
    }

    /// <summary>
    /// Edge chasing (Chandy–Misra–Haas) for cycles that span nodes: follows the published waits-for words from
    /// <paramref name="from"/>, without locks, to where this node's part of the chain ends. It ends at the probe's
    /// <paramref name="initiator"/> (a local proc: the cycle is closed; a ghost: the probe goes to its node), or at a
    /// ghost that waits for nobody here (its owner may be blocked on its own node: the probe goes there). Null when
    /// the chain ends at a local proc that waits for nobody, at one whose owner is walking right now (its own walk
    /// decides), or loops here without the initiator (a local cycle is the local walk's to refuse).
    /// </summary>
    internal ChaseEnd? ChaseEdges(Endpoint from, Endpoint initiator)
    {
        var next = from;
        for (var n = 0; n <= _slots.Length; n++)
        {
            if (Lookup(next) is not { } p) return null;
            var ghost = p.Port as IGhostPort;
            if (p.Ep == initiator) return new ChaseEnd(p.Ep, ghost);
            var word = Volatile.Read(ref p.WaitWord);
            if (WaitsFor.IsNone(word)) return ghost is null ? null : new ChaseEnd(p.Ep, ghost);
            if (WaitsFor.IsTentative(word)) return null;
            next = WaitsFor.Partner(word);
        }
        return null;
    }

    /// <summary>
    /// A probe came back to its initiator: if local <paramref name="caller"/> is still blocked in call
    /// <paramref name="correlation"/> — sending, or receiving from a named source (a sendrec whose request was taken
    /// has moved on: the chain the probe saw is gone), an actor's idle receive from a named source included — that
    /// call closed a cycle across nodes and returns Locked (an actor hears it in its receive error, as when its
    /// receive closes a cycle here). Returns the ghost's port when the call was to a ghost (the owner node must
    /// withdraw it), else null (also when the call has ended meanwhile).
    /// </summary>
    internal IGhostPort? RefuseBlocked(Endpoint caller, long correlation)
    {
        if (caller.IsSpecial || (uint)caller.Slot >= (uint)_slots.Length) return null;
        if (_slots[caller.Slot] is not { Kind: not OwnerKind.Remote } p || p.Ep != caller) return null;
        var wake = new Wakeups();
        IGhostPort? port;
        using (EnterWithQueueOwner(p))
        {
            // An actor's idle receive is in no call of its own, but its edge is published like a call's, and its
            // sequence moves on each time the actor leaves and re-enters it, so the checks below hold for it too.
            var idle = (p.Flags & ProcFlags.IdleReceive) != 0;
            if (!p.Bound || p.CallSeq != correlation || !(p.IsBlockedInCall || idle) || p.Copying) return null;
            if (!p.IsSending && (p.IsReplyPending || !p.IsReceiving || p.GetFrom == Endpoint.Any)) return null;
            port = GhostOf(p);
            var (partner, how) = p.IsSending ? (p.SendTo, "sending to") : (p.GetFrom, "receiving from");
            Withdraw(p);
            Interlocked.Increment(ref _lockedRefusals);
            Complete(p, IpcStatus.Locked, ref wake);
            p.LastError = $"{how} {partner} closed a cycle of blocked endpoints across nodes";
            AssertInvariants(p);
        }
        wake.Run();
        return port;
    }

    // A local call (or an actor's idle receive) just blocked on partner, and its partner's chain may leave this node
    // (its deadlock walk ran and found no cycle here, or it receives from a named source, which may be a ghost): if
    // the chain leaves at a ghost, a cycle may close through other nodes, so a probe goes after it. A VM without a
    // bridge never probes; a call that blocks on a local partner waiting for nobody (the common case) never walks,
    // so it never comes here. A ghost's own call (a remote caller's, made here by its node proxy) is probed by that
    // proxy.
    private void ProbeAcrossNodes(Proc caller, Endpoint partner)
    {
        if (_bindObserver is null || caller.Kind == OwnerKind.Remote) return;
        if (ChaseEdges(partner, caller.Ep) is { Port: { } ghost } end && end.End != caller.Ep)
            ghost.Probe(caller.Ep, caller.CallSeq);
    }

    /// <summary>
    /// sendnb to <paramref name="dst"/> found it not receiving here (Send): when it is a ghost, that says nothing,
    /// since only its owner node knows whether it is receiving from <paramref name="caller"/> — ask there (one round
    /// trip; the local checks have passed). Otherwise NotReady stands.
    /// </summary>
    private IpcStatus SendNbToGhost(Proc caller, Endpoint dst, in Message m)
    {
        if (Lookup(dst) is not { Port: IGhostPort ghost }) return IpcStatus.NotReady;
        caller.ClearLastError();
        var status = ghost.SendNb(caller.Ep, in m);
        Trace.Returned(caller.Ep, IpcCalls.SendNb, dst, status);
        if (status == IpcStatus.Ok) caller.Sent++;
        else caller.LastError = $"{dst} on node {ghost.NodeId} answered {status.Describe()}";
        return status;
    }

    /// <summary>
    /// Makes a remote caller's call (send, sendnb, sendrec or notify) through its ghost, which must be in no call (the proxy
    /// first withdraws an abandoned one with <see cref="Abort(Proc, long, IpcStatus)"/>). A partner that is itself a
    /// ghost is not hosted here: DeadSrcDst (DstDied for send).
    /// </summary>
    internal IpcStatus CallAs(Proc ghost, Endpoint dst, in Message m, IpcCalls call)
    {
        if (!dst.IsSpecial && ProcAt(dst.Slot) is { Kind: OwnerKind.Remote })
            return call == IpcCalls.SendRec ? IpcStatus.DeadSrcDst : IpcStatus.DstDied;
        return call == IpcCalls.Notify ? Notify(ghost, dst) : Send(ghost, dst, in m, call, mayBlock: call != IpcCalls.SendNb);
    }
}

/// <summary>Where a deadlock probe's walk of this node ended (<see cref="IpcKernel.ChaseEdges"/>).</summary>
/// <param name="End">The last proc of the chain: the probe's initiator, or a ghost whose owner waits elsewhere.</param>
/// <param name="Port">The port of <paramref name="End"/> when it is a ghost (the probe goes on to its node).</param>
internal readonly record struct ChaseEnd(Endpoint End, IpcKernel.IGhostPort? Port);

/// <summary>One call or notification taken from a ghost's queue, to ship to the ghost owner's node.</summary>
/// <param name="Caller">The local endpoint that made the call (or notified).</param>
/// <param name="Correlation">The caller's call sequence: its answer must echo it. 0 for a notification.</param>
/// <param name="Call">Send, SendRec or Notify.</param>
/// <param name="Message">The message (default for a notification).</param>
internal readonly record struct Shipment(Endpoint Caller, long Correlation, IpcCalls Call, Message Message);
