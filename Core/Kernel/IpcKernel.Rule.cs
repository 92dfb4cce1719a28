namespace M3Actors.Kernel;

/// <summary>
/// The IPC rule — Minix's mini_send, mini_receive, mini_notify and deadlock check — in one place. Every primitive
/// validates in the rulebook's order (caller bound, VM running, partner value, privileges), then applies the rule
/// under the lock, then wakes owners outside it. <see cref="IpcStatus.Suspended"/> means the caller is now blocked and
/// its port will get exactly one <see cref="IEndpointPort.Completed"/>.
/// </summary>
internal sealed partial class IpcKernel
{
    /// <summary>send / sendnb / sendrec: the caller's message goes to dst, or the caller queues on dst.</summary>
    internal IpcStatus Send(Proc caller, Endpoint dst, in Message m, IpcCalls call, bool mayBlock)
    {
        Smp.Vcpu.Current?.OnKernelEntry();
        var wake = new Wakeups();
        IpcStatus status;
        lock (_gate)
        {
            status = SendLocked(caller, dst, in m, call, mayBlock, ref wake);
            AssertInvariants();
        }
        wake.Run();
        return status;
    }

    /// <summary>receive / rcvrqst, and an actor's idle receive: takes a notification or a queued sender, or blocks.</summary>
    internal IpcStatus Receive(Proc caller, Endpoint src, IpcCalls call, bool mayBlock)
    {
        Smp.Vcpu.Current?.OnKernelEntry();
        var wake = new Wakeups();
        IpcStatus status;
        lock (_gate)
        {
            status = ReceiveLocked(caller, src, call, mayBlock, idle: false, ref wake);
            AssertInvariants();
        }
        wake.Run();
        return status;
    }

    /// <summary>notify: never blocks; delivered now if dst waits for the caller, else one coalesced pending bit.</summary>
    internal IpcStatus Notify(Proc caller, Endpoint dst)
    {
        Smp.Vcpu.Current?.OnKernelEntry();
        var wake = new Wakeups();
        lock (_gate)
        {
            if (Validate(caller, IpcCalls.Notify, dst, allowAny: false, out var target) is var bad and not IpcStatus.Ok) return bad;
            if (!caller.Privileges.MaySendTo(target.Slot)) return Fail(caller, IpcStatus.CallDenied, $"may not notify slot {target.Slot}");
            Notifications++;
            if (Accepts(target, caller, notification: true))
            {
                target.Msg = Message.Notification(caller.Ep);
                target.Received++;
                Complete(target, IpcStatus.Ok, ref wake);
            }
            else
            {
                target.SetNotify(caller.Slot);
                wake.Pending(target);
            }
            AssertInvariants();
        }
        wake.Run();
        return IpcStatus.Ok;
    }

    /// <summary>reply: never blocks; dst must be waiting in sendrec for the caller's reply.</summary>
    internal IpcStatus Reply(Proc caller, Endpoint dst, in Message m)
    {
        Smp.Vcpu.Current?.OnKernelEntry();
        var wake = new Wakeups();
        lock (_gate)
        {
            if (Validate(caller, IpcCalls.Reply, dst, allowAny: false, out var target) is var bad and not IpcStatus.Ok) return bad;
            if (!(target.IsReceiving && target.IsReplyPending && target.GetFrom == caller.Ep))
                return Fail(caller, IpcStatus.ProcState, $"{target.Ep} is not waiting for a reply from {caller.Ep}");
            Deliver(caller, target, in m, ref wake);
            AssertInvariants();
        }
        wake.Run();
        return IpcStatus.Ok;
    }

    private IpcStatus SendLocked(Proc caller, Endpoint dst, in Message m, IpcCalls call, bool mayBlock, ref Wakeups wake)
    {
        if (Validate(caller, call, dst, allowAny: false, out var target) is var bad and not IpcStatus.Ok)
            return bad == IpcStatus.DeadSrcDst && call != IpcCalls.SendRec ? Fail(caller, IpcStatus.DstDied, $"{dst} is not alive") : bad;
        if (!caller.Privileges.MaySendTo(target.Slot)) return Fail(caller, IpcStatus.CallDenied, $"may not send to slot {target.Slot}");
        var sendRec = call == IpcCalls.SendRec;
        if (Accepts(target, caller, notification: false, sendRec))
        {
            Deliver(caller, target, in m, ref wake);
            if (!sendRec) return IpcStatus.Ok;
            BeginCall(caller, ProcFlags.Receiving | ProcFlags.ReplyPending, getFrom: target.Ep);
            return IpcStatus.Suspended;
        }
        if (!mayBlock)
            return call == IpcCalls.SendNb ? Fail(caller, IpcStatus.NotReady, $"{dst} is not waiting") : IpcStatus.Again;
        if (Deadlock(caller, target, sending: true))
            return Fail(caller, IpcStatus.Locked, $"sending to {dst} would close a cycle of blocked endpoints");
        caller.Msg = m;
        caller.Msg.Source = caller.Ep;
        BeginCall(caller, sendRec ? ProcFlags.Sending | ProcFlags.ReplyPending : ProcFlags.Sending, sendTo: target.Ep);
        target.Enqueue(caller);
        wake.Pending(target);
        return IpcStatus.Suspended;
    }

    private IpcStatus ReceiveLocked(Proc caller, Endpoint src, IpcCalls call, bool mayBlock, bool idle, ref Wakeups wake)
    {
        if (Validate(caller, call, src, allowAny: true, out var source) is var bad and not IpcStatus.Ok) return bad;
        var requestsOnly = call == IpcCalls.RcvRqst;
        if (!requestsOnly && FindNotify(caller, src) is var slot and >= 0)
        {
            caller.ClearNotify(slot);
            caller.Msg = Message.Notification(_slots[slot]!.Ep);
            caller.Received++;
            return IpcStatus.Ok;
        }
        if (FindSender(caller, src, requestsOnly, out var previous) is { } sender)
        {
            caller.Unlink(sender, previous);
            caller.Msg = sender.Msg;
            caller.Received++;
            sender.Sent++;
            Messages++;
            if (sender.IsReplyPending)
            {
                sender.Flags = ProcFlags.Receiving | ProcFlags.ReplyPending;
                sender.SendTo = Endpoint.None;
                sender.GetFrom = caller.Ep;
            }
            else
            {
                Complete(sender, IpcStatus.Ok, ref wake);
            }
            return IpcStatus.Ok;
        }
        if (!mayBlock) return IpcStatus.Again;
        if (source is not null && Deadlock(caller, source, sending: false))
            return Fail(caller, IpcStatus.Locked, $"receiving from {src} would close a cycle of blocked endpoints");
        var flags = ProcFlags.Receiving | (requestsOnly ? ProcFlags.RequestsOnly : 0) | (idle ? ProcFlags.IdleReceive : 0);
        BeginCall(caller, flags, getFrom: source?.Ep ?? Endpoint.Any);
        return IpcStatus.Suspended;
    }

    // Copies the caller's message straight into a waiting receiver's slot and completes its receive.
    private void Deliver(Proc caller, Proc target, in Message m, ref Wakeups wake)
    {
        target.Msg = m;
        target.Msg.Source = caller.Ep;
        caller.Sent++;
        target.Received++;
        Messages++;
        Complete(target, IpcStatus.Ok, ref wake);
    }

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
        for (var i = 0; i < p.NotifyBits.Length; i++)
            if (p.NotifyBits[i] != 0) return i * 64 + System.Numerics.BitOperations.TrailingZeroCount(p.NotifyBits[i]);
        return -1;
    }

    private static Proc? FindSender(Proc p, Endpoint src, bool requestsOnly, out Proc? previous)
    {
        previous = null;
        for (var s = p.QueueHead; s is not null; previous = s, s = s.NextInQueue)
            if ((src == Endpoint.Any || s.Ep == src) && (!requestsOnly || s.IsReplyPending)) return s;
        return null;
    }

    private static void BeginCall(Proc p, ProcFlags flags, Endpoint? sendTo = null, Endpoint? getFrom = null)
    {
        p.Flags = flags;
        p.SendTo = sendTo ?? Endpoint.None;
        p.GetFrom = getFrom ?? Endpoint.None;
        p.CallSeq++;
    }

    /// <summary>
    /// Minix's deadlock(): follow who each blocked proc waits for, starting at the partner; coming back to the caller
    /// is a cycle. The one exception is a pair where one side sends and the other receives from it (request/reply).
    /// </summary>
    private bool Deadlock(Proc caller, Proc partner, bool sending)
    {
        var groupSize = 1;
        for (var xp = partner; xp is not null;)
        {
            groupSize++;
            var next = xp.IsSending ? xp.SendTo : xp.IsReceiving ? xp.GetFrom : Endpoint.None;
            if (next == Endpoint.Any || next == Endpoint.None) return false;
            if (next == caller.Ep) return groupSize != 2 || xp.IsSending == sending;
            xp = Lookup(next);
        }
        return false;
    }

    // The rulebook's validation order: caller bound, VM running, caller free, partner value, call mask, then liveness.
    private IpcStatus Validate(Proc caller, IpcCalls call, Endpoint partner, bool allowAny, out Proc target)
    {
        target = null!;
        if (!caller.Bound) return _running ? IpcStatus.NotBound : IpcStatus.VmNotRunning;
        if (!_running) return IpcStatus.VmNotRunning;
        if (caller.IsBlockedInCall) return Fail(caller, IpcStatus.Busy, "the endpoint is already blocked in another call");
        if (partner == Endpoint.Self) partner = caller.Ep;
        if (partner == Endpoint.Any)
            return allowAny ? Allowed(caller, call) : Fail(caller, IpcStatus.BadSrcDst, "ANY is valid only as a receive source");
        if (partner == Endpoint.None || (uint)partner.Slot >= (uint)_slots.Length || partner.Value < 0)
            return Fail(caller, IpcStatus.BadSrcDst, $"{partner} is not an endpoint of this VM");
        if (partner == caller.Ep) return Fail(caller, IpcStatus.BadEndpoint, "an endpoint cannot be its own partner");
        if (_slots[partner.Slot] is { } p && p.Ep == partner)
        {
            target = p;
            return Allowed(caller, call);
        }
        if (_slots[partner.Slot] is not null || _generations[partner.Slot] != partner.Generation)
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
