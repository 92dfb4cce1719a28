namespace M3Actors.Kernel;

/// <summary>What an actor's rendezvous mailbox may hand to the actor next.</summary>
internal enum ActorStep
{
    /// <summary>Nothing is deliverable now: the actor is blocked in a call, or idle in its receive.</summary>
    Nothing,
    /// <summary>An ordinary Akka message may run: the idle receive was withdrawn first.</summary>
    User,
    /// <summary>An IPC delivery or a call's outcome (status and message are set).</summary>
    Ipc,
}

/// <summary>
/// The actor side of the rule: an actor endpoint between handlers is in an implicit receive (ANY, or the source it
/// chose), exactly like a Minix server sitting in receive(ANY). Its mailbox asks here, under the actor's lock (and a
/// sender's, when it takes one), what may run.
/// </summary>
internal sealed partial class IpcKernel
{
    /// <summary>
    /// The common case without any lock: an outcome is waiting. Safe because the kernel publishes Msg and Result
    /// before HasOutcome (a volatile write) and writes neither again until the proc enters another call or receive,
    /// which only its owner — the caller here — can start.
    /// </summary>
    internal static bool TryTakeOutcome(Proc p, out IpcStatus status, out Message message)
    {
        if (!p.HasOutcome)
        {
            status = default;
            message = default;
            return false;
        }
        status = p.Result;
        message = p.Msg;
        p.HasOutcome = false;
        return true;
    }

    internal ActorStep NextForActor(Proc p, Endpoint filter, bool requestsOnly, bool userWaiting, out IpcStatus status, out Message message)
    {
        var wake = new Wakeups(p);
        var walk = Walk.NotYet;
        var sender = KernelLocks.None;
        ActorStep step;
        while (true)
        {
            Retry retry;
            using (var held = _locks.Enter(p.Slot, PartnerSlot(p, filter), sender))
            {
                step = NextForActorLocked(p, filter, requestsOnly, userWaiting, walk, in held, ref wake, out status,
                    out retry, out sender);
                if (retry == Retry.None)
                {
                    EndWalk(p, walk);
                    if (step == ActorStep.Nothing) p.WorkHint = false;
                }
                message = p.Msg;
                AssertInvariants(p, Lookup(filter));
            }
            if (retry == Retry.None) break;
            if (retry == Retry.Walk) walk = WalkForDeadlock(p);
        }
        wake.Run();
        // An idle receive that just blocked on a named source may close a cycle through other nodes, as a thread's
        // named receive may (Receive): chase it. Only this step's receive reports Suspended (an outcome is never it).
        if (step == ActorStep.Nothing && status == IpcStatus.Suspended && filter != Endpoint.Any)
            ProbeAcrossNodes(p, filter);
        return step;
    }

    private ActorStep NextForActorLocked(Proc p, Endpoint filter, bool requestsOnly, bool userWaiting, Walk walk,
        in KernelLocks.Held held, ref Wakeups wake, out IpcStatus status, out Retry retry, out int sender)
    {
        retry = Retry.None;
        sender = KernelLocks.None;
        status = p.Result;
        if (p.HasOutcome)
        {
            p.HasOutcome = false;
            return ActorStep.Ipc;
        }
        if (!p.Bound) return userWaiting ? ActorStep.User : ActorStep.Nothing;
        // The rendezvous: hold everything until the outcome (held too while a vcopy pins the actor).
        if (p.IsBlockedInCall || p.OutcomeHeld) return ActorStep.Nothing;
        if ((p.Flags & ProcFlags.IdleReceive) != 0)
        {
            // A vcopy pins an idle actor as a blocked party: a handler now would see a half-copied buffer. The copy's
            // end wakes it (Unpin) to take its Akka messages then.
            if (!userWaiting || p.Copying) return ActorStep.Nothing;
            Withdraw(p);
            return ActorStep.User;
        }
        var call = requestsOnly ? IpcCalls.RcvRqst : IpcCalls.Receive;
        status = ReceiveLocked(p, filter, call, mayBlock: !userWaiting, idle: true, walk, in held, ref wake, out retry,
            out sender);
        Trace.IdleReceive(p.Ep, call, filter, status);
        return retry != Retry.None ? ActorStep.Nothing : status switch
        {
            IpcStatus.Suspended => ActorStep.Nothing,
            IpcStatus.Again => ActorStep.User,
            _ => ActorStep.Ipc,
        };
    }
}
