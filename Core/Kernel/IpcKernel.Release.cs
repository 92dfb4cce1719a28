namespace M3Actors.Kernel;

/// <summary>
/// Unbind, shutdown and timeouts: each is a sequence of small sections over one or two slots, never a section over
/// the whole table, so they do not stop unrelated pairs.
/// </summary>
internal sealed partial class IpcKernel
{
    /// <summary>
    /// Implicit and explicit unbind share this routine (rulebook §7): blocked partners are released with DstDied or
    /// SrcDied, the proc's own blocked call ends with <paramref name="ownReason"/>, its notify bits are cleared.
    /// </summary>
    /// <remarks>
    /// The proc is marked unbound first, under its lock: every later call naming it validates under that lock and
    /// fails, so no partner can join it while the sweep below runs. Every step re-reads under its locks, so two
    /// unbinds of one proc (an owner's and the VM's end) may overlap harmlessly.
    /// </remarks>
    internal void Unbind(Proc p, IpcStatus ownReason) => Unbind(p, ownReason, sweepPartners: true);

    // Shutdown skips the sweep of partners: it has ended every blocked call already and no call can start, so the
    // sweep would only clear bits of procs that die too, at O(slots) sections per proc.
    private void Unbind(Proc p, IpcStatus ownReason, bool sweepPartners)
    {
        var wake = new Wakeups();
        using (EnterWithQueueOwner(p))
        {
            if (!p.IsCurrent) return;       // the slot was bound again: this binding's unbind finished long ago
            if (p.Bound) Trace.Unbound(p.Ep);
            p.MarkUnbinding();
            var blocked = p.IsBlockedInCall;
            Withdraw(p);        // also an actor's idle receive, or a word left by a walk the owner will never finish
            if (blocked) Complete(p, ownReason, ref wake);
            AssertInvariants(p);
        }
        ReleaseQueuedSenders(p, ref wake);
        if (sweepPartners) ReleasePartners(p, ref wake);
        using (_locks.Enter(p.Slot))
        {
            if (_slots[p.Slot] == p)
            {
                p.MarkFree();
                _slots.Clear(p);
            }
        }
        ReportUnbound(p);
        wake.Run();
    }

    /// <summary>
    /// Ends the VM: every proc is unbound; later calls and binds get VmNotRunning. In a region shared between
    /// processes this ends this process's part of the VM: its own endpoints, whose partners in the other processes
    /// are released as by any unbind (DstDied / SrcDied), since the VM goes on there.
    /// </summary>
    internal void Shutdown()
    {
        lock (_bindGate)
        {
            _running = false;
            foreach (var waiter in _bindWaiters.Values)
                waiter.TrySetException(new IpcException(IpcStatus.VmNotRunning, "the VM ended before the slot was bound"));
            _bindWaiters.Clear();
        }
        // No bind can start now, and no call can block: each validates under its caller's lock, and a call that did so
        // before the flag changed is done before that slot's section below. §12.5: every blocked call ends with
        // VmNotRunning first, so no partner sees DstDied/SrcDied from a teardown order; the unbinds then find nobody
        // waiting.
        var wake = new Wakeups();
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is not { IsForeign: false } p) continue;
            using (EnterWithQueueOwner(p))
            {
                // An actor idle in its implicit receive is in no call, even one narrowed to a source: its unbind
                // withdraws it quietly, rather than failing a receive the actor never made in a handler.
                if (!p.IsBlockedInCall) continue;
                Withdraw(p);
                Complete(p, IpcStatus.VmNotRunning, ref wake);
                AssertInvariants(p);
            }
        }
        wake.Run();
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            // In a shared region the partners in other processes are released as by any unbind: the VM goes on there.
            if (_slots[slot] is { IsForeign: false } p)
                Unbind(p, IpcStatus.VmNotRunning, sweepPartners: _sharing is not null);
        }
    }

    /// <summary>
    /// Ends call <paramref name="seq"/> of <paramref name="p"/> early (timeout or cancellation), leaving no trace in
    /// any queue. Returns false when the call already completed: its outcome is then on its way to the owner. A proc
    /// pinned by a vcopy is taken out of its call too, but its owner hears of it when the copy ends (false here), so
    /// it never touches a half-copied buffer.
    /// </summary>
    internal bool Abort(Proc p, long seq, IpcStatus reason)
    {
        var aborted = Abort(p, seq, reason, out var ghost);
        ghost?.Abandoned(p.Ep, seq);        // a call shipped to another node: withdraw it there too
        return aborted;
    }

    private bool Abort(Proc p, long seq, IpcStatus reason, out IGhostPort? ghost)
    {
        ghost = null;
        using (EnterWithQueueOwner(p))
        {
            if (!p.IsCurrent || p.CallSeq != seq || !p.IsBlockedInCall) return false;
            ghost = GhostOf(p);
            if (ghost is not null && IsShipped(p)) return false;    // two-phase cancel: see IpcKernel.Ghost.cs
            // A sendrec whose request the server already took leaves a debt: the server's late reply is discarded.
            if (p.IsReplyPending && p.IsReceiving && Lookup(p.GetFrom) is { } server) p.SetOwedReply(server.Slot);
            Withdraw(p);
            Trace.Woken(p.Ep, reason);
            Interlocked.Increment(ref _timeouts);
            p.Result = reason;
            p.LastError = reason.Describe();
            AssertInvariants(p);
            if (p.Copying)
            {
                p.OutcomeHeld = true;
                return false;
            }
            p.HasOutcome = p.Kind == OwnerKind.Actor;
            p.WorkHint = true;
            return true;
        }
    }

    // Takes p's lock and, when p is queued as a sender, the lock of the queue's owner. Where p sends to can change
    // only under p's lock, so a value read before taking the locks is checked again after.
    private KernelLocks.Held EnterWithQueueOwner(Proc p)
    {
        while (true)
        {
            var queueOwner = SendSlot(p);
            var held = _locks.Enter(p.Slot, queueOwner);
            if (SendSlot(p) == queueOwner) return held;
            held.Dispose();
        }
    }

    private int SendSlot(Proc p)
    {
        var sendTo = p.SendTo;
        return p.IsSending && (uint)sendTo.Slot < (uint)_slots.Length ? sendTo.Slot : KernelLocks.None;
    }

    // Every sender queued on the unbound p gets DstDied, one {sender, p} section each (no new sender can join). Once
    // the VM is ending, a release racing with shutdown's pass gets VmNotRunning like every other blocked call (§12.5).
    private void ReleaseQueuedSenders(Proc p, ref Wakeups wake)
    {
        while (p.QueueHead is { } first)
        {
            using (_locks.Enter(p.Slot, first.Slot))
            {
                if (p.QueueHead != first) continue;     // it timed out meanwhile
                p.Unlink(first, null);
                var running = _running || first.IsForeign;     // the VM goes on in the partner's process
                Complete(first, running ? IpcStatus.DstDied : IpcStatus.VmNotRunning, ref wake);
                if (running)
                {
                    first.LastError = $"{p.Ep} ended while we were sending to it";
                    Interlocked.Increment(ref _deaths);
                }
                AssertInvariants(first);
            }
        }
    }

    // Everyone receiving from p (including a sendrec caller waiting for p's reply) gets SrcDied, and p's notify bits
    // and the replies it owed are cleared, one slot's section at a time.
    private void ReleasePartners(Proc p, ref Wakeups wake)
    {
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            // A slot free now can hold nothing of p's: a proc bound after p was marked can neither receive from p nor
            // get a notification from it.
            if (slot == p.Slot || (_slots[slot] is null && _region.StateOf(slot) == SlotState.Free)) continue;
            using (_locks.Enter(slot))
            {
                if (_slots.Resolve(slot) is not { } other) continue;
                other.ClearNotify(p.Slot);
                other.ClearOwedReply(p.Slot);       // §12.1: a server that ended owes nothing any more
                if (other.IsReceiving && other.GetFrom == p.Ep)
                {
                    var running = _running || other.IsForeign;
                    Complete(other, running ? IpcStatus.SrcDied : IpcStatus.VmNotRunning, ref wake);
                    if (running)
                    {
                        other.LastError = $"{p.Ep} ended while we were receiving from it";
                        Interlocked.Increment(ref _deaths);
                    }
                }
                AssertInvariants(other);
            }
        }
    }
}
