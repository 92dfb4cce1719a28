using System.Runtime.CompilerServices;

namespace M3Actors.Kernel;

/// <summary>
/// The IPC rule — Minix's mini_send, mini_receive, mini_notify — in one place. Every primitive validates in the
/// rulebook's order (caller bound, VM running, partner value, privileges), then applies the rule holding the locks of
/// the caller and its partner (and of a queued sender it takes), then wakes owners outside them. A call that would
/// block on a partner that is itself waiting for someone first checks for a deadlock (IpcKernel.Deadlock.cs) with
/// its locks released, then runs again. <see cref="IpcStatus.Suspended"/> means the caller is now blocked and its
/// port will get exactly one <see cref="IEndpointPort.Completed"/>.
/// </summary>
internal sealed partial class IpcKernel
{
    // Why a locked step returned before finishing: it published a tentative edge and the deadlock walk must run, or
    // it found a queued sender whose lock it does not hold. It changed nothing else; the step runs again.
    private enum Retry
    {
        None,
        Walk,
        WithSender,
    }

    /// <summary>send / sendnb / sendrec: the caller's message goes to dst, or the caller queues on dst.</summary>
    internal IpcStatus Send(Proc caller, Endpoint dst, in Message m, IpcCalls call, bool mayBlock)
    {
        caller.VcpuSlot?.CountKernelEntry();
        caller.ClearLastError();
        Trace.Call(caller.Ep, call, dst, m.Type);
        var wake = new Wakeups(caller);
        var walk = Walk.NotYet;
        IpcStatus status;
        while (true)
        {
            Retry retry;
            using (_locks.Enter(caller.Slot, PartnerSlot(caller, dst)))
            {
                status = SendLocked(caller, dst, in m, call, mayBlock, walk, ref wake, out retry);
                Trace.Returned(caller.Ep, call, dst, status);
                if (retry == Retry.None) EndWalk(caller, walk);
                AssertInvariants(caller, Lookup(dst));
            }
            if (retry == Retry.None) break;
            walk = WalkForDeadlock(caller);
        }
        wake.Run();
        if (status == IpcStatus.NotReady && call == IpcCalls.SendNb) status = SendNbToGhost(caller, dst, in m);
        else if (status == IpcStatus.Suspended && walk != Walk.NotYet) ProbeAcrossNodes(caller, dst);
        return status;
    }

    /// <summary>receive / rcvrqst: takes a notification or a queued sender, or blocks.</summary>
    internal IpcStatus Receive(Proc caller, Endpoint src, IpcCalls call, bool mayBlock)
    {
        caller.VcpuSlot?.CountKernelEntry();
        caller.ClearLastError();
        Trace.Call(caller.Ep, call, src);
        var wake = new Wakeups(caller);
        var walk = Walk.NotYet;
        var sender = KernelLocks.None;
        IpcStatus status;
        while (true)
        {
            Retry retry;
            using (var held = _locks.Enter(caller.Slot, PartnerSlot(caller, src), sender))
            {
                status = ReceiveLocked(caller, src, call, mayBlock, idle: false, walk, in held, ref wake, out retry,
                    out sender);
                Trace.Returned(caller.Ep, call, src, status);
                if (retry == Retry.None) EndWalk(caller, walk);
                AssertInvariants(caller, Lookup(src));
            }
            if (retry == Retry.None) break;
            if (retry == Retry.Walk) walk = WalkForDeadlock(caller);
        }
        wake.Run();
        if (status == IpcStatus.Suspended && src != Endpoint.Any) ProbeAcrossNodes(caller, src);
        return status;
    }

    /// <summary>notify: never blocks; delivered now if dst waits for the caller, else one coalesced pending bit.</summary>
    internal IpcStatus Notify(Proc caller, Endpoint dst) =>
        Trace.Returned(caller.Ep, IpcCalls.Notify, dst, NotifyCore(caller, dst));     // its many returns, traced once

    private IpcStatus NotifyCore(Proc caller, Endpoint dst)
    {
        caller.VcpuSlot?.CountKernelEntry();
        caller.ClearLastError();
        Trace.Call(caller.Ep, IpcCalls.Notify, dst, Message.NotifyType);
        var wake = new Wakeups(caller);
        using (_locks.Enter(caller.Slot, PartnerSlot(caller, dst)))
        {
            if (Validate(caller, IpcCalls.Notify, dst, allowAny: false, out var target) is var bad and not IpcStatus.Ok) return bad;
            if (!caller.Privileges.MaySendTo(target.Slot)) return Fail(caller, IpcStatus.CallDenied, $"may not notify slot {target.Slot}");
            _locks[target.Slot].Notifications++;
            if (Accepts(target, caller, notification: true))
            {
                Trace.Delivered(caller.Ep, target.Ep, IpcCalls.Notify, Message.NotifyType);
                target.Msg = Message.Notification(caller.Ep);
                target.Received++;
                Complete(target, IpcStatus.Ok, ref wake);
            }
            else
            {
                target.SetNotify(caller.Slot);
                Trace.NotifyPending(caller.Ep, target.Ep);
                wake.Pending(target);
            }
            AssertInvariants(caller, target);
        }
        wake.Run();
        return IpcStatus.Ok;
    }

    /// <summary>reply: never blocks; dst must be waiting in sendrec for the caller's reply.</summary>
    internal IpcStatus Reply(Proc caller, Endpoint dst, in Message m) =>
        Trace.Returned(caller.Ep, IpcCalls.Reply, dst, ReplyCore(caller, dst, in m));    // its many returns, traced once

    private IpcStatus ReplyCore(Proc caller, Endpoint dst, in Message m)
    {
        caller.VcpuSlot?.CountKernelEntry();
        caller.ClearLastError();
        Trace.Call(caller.Ep, IpcCalls.Reply, dst, m.Type);
        var wake = new Wakeups(caller);
        using (_locks.Enter(caller.Slot, PartnerSlot(caller, dst)))
        {
            if (Validate(caller, IpcCalls.Reply, dst, allowAny: false, out var target) is var bad and not IpcStatus.Ok) return bad;
            if (m.Type == Message.NotifyType) return ReservedType(caller);
            if (DiscardLateReply(caller, target)) return IpcStatus.Ok;
            if (!(target.IsReceiving && target.IsReplyPending && target.GetFrom == caller.Ep))
                return Fail(caller, IpcStatus.ProcState, $"{target.Ep} is not waiting for a reply from {caller.Ep}");
            Trace.Delivered(caller.Ep, target.Ep, IpcCalls.Reply, m.Type);
            Deliver(caller, target, in m, ref wake);
            AssertInvariants(caller, target);
        }
        wake.Run();
        return IpcStatus.Ok;
    }

    private IpcStatus SendLocked(Proc caller, Endpoint dst, in Message m, IpcCalls call, bool mayBlock, Walk walk,
        ref Wakeups wake, out Retry retry)
    {
        retry = Retry.None;
        if (Validate(caller, call, dst, allowAny: false, out var target) is var bad and not IpcStatus.Ok)
            return bad == IpcStatus.DeadSrcDst && call != IpcCalls.SendRec ? Fail(caller, IpcStatus.DstDied, $"{dst} is not alive") : bad;
        if (!caller.Privileges.MaySendTo(target.Slot)) return Fail(caller, IpcStatus.CallDenied, $"may not send to slot {target.Slot}");
        if (m.Type == Message.NotifyType) return ReservedType(caller);
        var sendRec = call == IpcCalls.SendRec;
        if (sendRec && caller.IsOwedReplyBy(target.Slot))
            return Fail(caller, IpcStatus.Busy, $"{dst} still owes the reply to an abandoned sendrec of ours");
        if (!sendRec && DiscardLateReply(caller, target)) return IpcStatus.Ok;
        if (sendRec && !mayBlock)       // §12.2: a sendrec always waits for its reply, so without waiting it sends nothing
            return Fail(caller, IpcStatus.Again, "sendrec cannot complete without waiting; use sendnb and receive");
        if (Accepts(target, caller, notification: false, sendRec))
        {
            Trace.Delivered(caller.Ep, target.Ep, call, m.Type);
            Deliver(caller, target, in m, ref wake);
            if (!sendRec) return IpcStatus.Ok;
            BeginCall(caller, ProcFlags.Receiving | ProcFlags.ReplyPending, getFrom: target.Ep);
            return IpcStatus.Suspended;
        }
        if (!mayBlock)
            return call == IpcCalls.SendNb ? Fail(caller, IpcStatus.NotReady, $"{dst} is not waiting") : IpcStatus.Again;
        if (MustWalk(caller, target, sending: true, walk))
        {
            retry = Retry.Walk;
            return IpcStatus.Ok;
        }
        if (walk == Walk.Cycle)
            return RefuseLocked(caller, $"sending to {dst} would close a cycle of blocked endpoints");
        caller.Msg = m;
        caller.Msg.Source = caller.Ep;
        BeginCall(caller, sendRec ? ProcFlags.Sending | ProcFlags.ReplyPending : ProcFlags.Sending, sendTo: target.Ep);
        target.Enqueue(caller);
        wake.Pending(target);
        return IpcStatus.Suspended;
    }

    private IpcStatus ReceiveLocked(Proc caller, Endpoint src, IpcCalls call, bool mayBlock, bool idle, Walk walk,
        in KernelLocks.Held held, ref Wakeups wake, out Retry retry, out int senderSlot)
    {
        retry = Retry.None;
        senderSlot = KernelLocks.None;
        if (Validate(caller, call, src, allowAny: true, out var source) is var bad and not IpcStatus.Ok) return bad;
        var requestsOnly = call == IpcCalls.RcvRqst;
        if (!requestsOnly && FindNotify(caller, src) is var slot and >= 0)
        {
            caller.ClearNotify(slot);
            // The notifier is still in the table: an unbind clears its bits, under each holder's lock, before it
            // frees the slot.
            caller.Msg = Message.Notification(_slots.Resolve(slot)!.Ep);
            Trace.Delivered(caller.Msg.Source, caller.Ep, IpcCalls.Notify, Message.NotifyType);
            caller.Received++;
            return IpcStatus.Ok;
        }
        if (FindSender(caller, src, requestsOnly, out var previous) is { } sender)
        {
            if (held.Covers(sender.Slot))
            {
                TakeSender(caller, sender, previous, ref wake);
            }
            else if (held.AllBelow(sender.Slot))
            {
                // Locks are taken in ascending slot order, so a sender above every lock held (a client of a server
                // on a lower slot, the usual layout) is locked now: no second section. It stays queued meanwhile,
                // since leaving the queue needs the caller's lock.
                var senderLock = _locks[sender.Slot];
                senderLock.Enter();
                try
                {
                    TakeSender(caller, sender, previous, ref wake);
                }
                finally
                {
                    senderLock.Exit();
                }
            }
            else
            {
                senderSlot = sender.Slot;     // the sender changes too: run again holding its lock
                retry = Retry.WithSender;
            }
            return IpcStatus.Ok;
        }
        if (!mayBlock) return IpcStatus.Again;
        if (source is not null && MustWalk(caller, source, sending: false, walk))
        {
            retry = Retry.Walk;
            return IpcStatus.Ok;
        }
        if (walk == Walk.Cycle)
            return RefuseLocked(caller, $"receiving from {src} would close a cycle of blocked endpoints");
        var flags = ProcFlags.Receiving | (requestsOnly ? ProcFlags.RequestsOnly : 0) | (idle ? ProcFlags.IdleReceive : 0);
        BeginCall(caller, flags, getFrom: source?.Ep ?? Endpoint.Any);
        return IpcStatus.Suspended;
    }

    // The receive side of a rendezvous with a queued sender: its message, then its release (or, for sendrec, its
    // wait for the reply). Holds the locks of both.
    private void TakeSender(Proc caller, Proc sender, Proc? previous, ref Wakeups wake)
    {
        Trace.Delivered(sender.Ep, caller.Ep, sender.IsReplyPending ? IpcCalls.SendRec : IpcCalls.Send, sender.Msg.Type);
        caller.Unlink(sender, previous);
        caller.Msg = sender.Msg;
        caller.Received++;
        sender.Sent++;
        _locks[caller.Slot].Messages++;
        if (sender.IsReplyPending)
            SetState(sender, ProcFlags.Receiving | ProcFlags.ReplyPending, Endpoint.None, caller.Ep);
        else Complete(sender, IpcStatus.Ok, ref wake);
        AssertInvariants(sender);
    }

    // Copies the caller's message straight into a waiting receiver's slot and completes its receive.
    private void Deliver(Proc caller, Proc target, in Message m, ref Wakeups wake)
    {
        target.Msg = m;
        target.Msg.Source = caller.Ep;
        caller.Sent++;
        target.Received++;
        _locks[target.Slot].Messages++;
        Complete(target, IpcStatus.Ok, ref wake);
    }

    // §12.1: the first message a server sends or replies to a caller that abandoned a sendrec it had taken is the late
    // reply to that sendrec: it is discarded, so it can never complete a later call. The server's call succeeds.
    private static bool DiscardLateReply(Proc server, Proc caller)
    {
        if (!caller.IsOwedReplyBy(server.Slot)) return false;
        caller.ClearOwedReply(server.Slot);
        server.Sent++;
        return true;
    }

    // §12.7: NOTIFY is the kernel's own type, so a notification a receiver sees can only come from notify.
    private static IpcStatus ReservedType(Proc caller) =>
        Fail(caller, IpcStatus.BadRequest, $"message type {Message.NotifyType:x} (NOTIFY) is reserved; use notify");

    // Minix's WILLRECEIVE, plus the two sendrec rules: a reply-pending proc takes only its server's message and no
    // notification; a rcvrqst proc takes only sendrec callers.
    private static bool Accepts(Proc target, Proc caller, bool notification, bool sendRec = false)
    {
        if (!target.IsReceiving) return false;
        if (target.GetFrom != Endpoint.Any && target.GetFrom != caller.Ep) return false;
        if (target.IsReplyPending) return !notification;
        if ((target.Flags & ProcFlags.RequestsOnly) != 0) return sendRec;
        return true;
    }

    private int FindNotify(Proc p, Endpoint src)
    {
        if (src != Endpoint.Any)
            return (uint)src.Slot < (uint)_slots.Length && (p.NotifyBits[src.Slot >> 6] & (1UL << (src.Slot & 63))) != 0 ? src.Slot : -1;
        var bits = p.NotifyBits;
        var word = bits.IndexOfAnyExcept(0UL);      // vectorised: a 4096-slot VM's receive(ANY) scans 64 words
        return word < 0 ? -1 : word * 64 + System.Numerics.BitOperations.TrailingZeroCount(bits[word]);
    }

    private static Proc? FindSender(Proc p, Endpoint src, bool requestsOnly, out Proc? previous)
    {
        previous = null;
        for (var s = p.QueueHead; s is not null; previous = s, s = s.NextInQueue)
            if ((src == Endpoint.Any || s.Ep == src) && (!requestsOnly || s.IsReplyPending)) return s;
        return null;
    }

    // The lock a primitive needs for its partner value: the partner's slot, or none for SELF and values that name no
    // slot (Validate rejects those without reading the table).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PartnerSlot(Proc caller, Endpoint partner) =>
        partner != Endpoint.Self && (uint)partner.Slot < (uint)_slots.Length ? partner.Slot : caller.Slot;

    // The rulebook's validation order: caller bound, VM running, caller free, partner value, call mask, then liveness.
    private IpcStatus Validate(Proc caller, IpcCalls call, Endpoint partner, bool allowAny, out Proc target)
    {
        if (ValidateCaller(caller) is var bad and not IpcStatus.Ok)
        {
            target = null!;
            return bad;
        }
        return ValidatePartner(caller, call, partner, allowAny, out target);
    }

    // Validate's first steps: caller bound, VM running, caller free.
    private IpcStatus ValidateCaller(Proc caller)
    {
        if (!caller.Bound) return _running ? IpcStatus.NotBound : IpcStatus.VmNotRunning;
        if (!_running) return IpcStatus.VmNotRunning;
        return caller.IsBlockedInCall ? Fail(caller, IpcStatus.Busy, "the endpoint is already blocked in another call")
            : IpcStatus.Ok;
    }

    // Validate's other steps, for a caller ValidateCaller passed: partner value, call mask, then liveness. The common
    // case first, in a few loads: a bound endpoint of this VM other than the caller, whose only remaining step is the
    // call mask (no special value is in range: their slot parts lie above Endpoint.MaxSlotsPerVm); every other value
    // takes the full sequence. In-process the table's view is the binding (Resolve only refreshes foreign views).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private IpcStatus ValidatePartner(Proc caller, IpcCalls call, Endpoint partner, bool allowAny, out Proc target)
    {
        if ((uint)partner.Slot < (uint)_slots.Length && partner != caller.Ep
            && (_sharing is null ? _slots[partner.Slot] : _slots.Resolve(partner.Slot)) is { Bound: true } holder
            && holder.Ep == partner)
        {
            target = holder;
            return Allowed(caller, call);
        }
        return CheckPartner(caller, call, partner, allowAny, out target);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private IpcStatus CheckPartner(Proc caller, IpcCalls call, Endpoint partner, bool allowAny, out Proc target)
    {
        target = null!;
        if (partner == Endpoint.Self) partner = caller.Ep;
        if (partner == Endpoint.Any)
            return allowAny ? Allowed(caller, call) : Fail(caller, IpcStatus.BadSrcDst, "ANY is valid only as a receive source");
        if (partner == Endpoint.None || (uint)partner.Slot >= (uint)_slots.Length || partner.Value < 0)
            return Fail(caller, IpcStatus.BadSrcDst, $"{partner} is not an endpoint of this VM");
        if (partner == caller.Ep) return Fail(caller, IpcStatus.BadEndpoint, "an endpoint cannot be its own partner");
        var holder = _slots.Resolve(partner.Slot);
        if (holder is { Bound: true } && holder.Ep == partner)
        {
            target = holder;
            return Allowed(caller, call);
        }
        // A holder being unbound is already dead to callers; a later binding or generation makes the value stale.
        if ((holder is not null && holder.Ep != partner) || GenerationOf(partner.Slot) != partner.Generation)
            return Fail(caller, IpcStatus.BadEndpoint, $"{partner} is stale (slot {partner.Slot} was rebound)");
        return Allowed(caller, call) is var denied and not IpcStatus.Ok ? denied : Fail(caller, IpcStatus.DeadSrcDst, $"{partner} is not alive");
    }

    private static IpcStatus Allowed(Proc caller, IpcCalls call) =>
        caller.Privileges.Allows(call) ? IpcStatus.Ok : Fail(caller, IpcStatus.TrapDenied, $"the call mask does not allow {call}");

    private static IpcStatus Fail(Proc caller, IpcStatus status, string why)
    {
        caller.LastError = why;
        return status;
    }
}
