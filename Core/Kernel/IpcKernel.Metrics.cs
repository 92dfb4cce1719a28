namespace M3Actors.Kernel;

/// <summary>
/// What the <c>M3Actors</c> meter reads from one VM's kernel. The hot-path counters are the per-slot ones in
/// <see cref="SlotLock"/>; the three counted here happen only on slow paths (a refused cycle, an aborted call, a
/// partner that died), so a plain interlocked increment there costs the fast path nothing.
/// </summary>
internal sealed partial class IpcKernel
{
    private long _lockedRefusals;
    private long _timeouts;
    private long _deaths;

    /// <summary>Calls refused with Locked because blocking would have closed a cycle.</summary>
    internal long LockedRefusals => Interlocked.Read(ref _lockedRefusals);

    /// <summary>Blocked calls ended early by their timeout (or an async call's cancellation).</summary>
    internal long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Blocked calls released with SrcDied or DstDied because their partner unbound.</summary>
    internal long Deaths => Interlocked.Read(ref _deaths);

    /// <summary>The per-slot message, notification and copy counters, summed one slot's section at a time.</summary>
    internal KernelCounters ReadCounters()
    {
        var sum = default(KernelCounters);
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            using (_locks.Enter(slot))
            {
                var c = _locks[slot];
                sum = new KernelCounters(sum.Messages + c.Messages, sum.Notifications + c.Notifications,
                    sum.Copies + c.Copies, sum.BytesCopied + c.BytesCopied);
            }
        }
        return sum;
    }

    /// <summary>
    /// The endpoints blocked in a call, by state, read like a snapshot (each proc under its own lock). An actor idle in
    /// its implicit receive is in no call and is not counted: every idle actor would otherwise look blocked.
    /// </summary>
    internal BlockedCounts CountBlocked()
    {
        int sending = 0, receiving = 0, sendRec = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is null) continue;
            using (_locks.Enter(slot))
            {
                if (_slots[slot] is not { IsForeign: false, IsBlockedInCall: true } p) continue;
                if (p.IsReplyPending) sendRec++;
                else if (p.IsSending) sending++;
                else receiving++;
            }
        }
        return new BlockedCounts(sending, receiving, sendRec);
    }

    private IpcStatus RefuseLocked(Proc caller, string why)
    {
        Interlocked.Increment(ref _lockedRefusals);
        return Fail(caller, IpcStatus.Locked, why);
    }
}

/// <summary>A VM kernel's IPC counters summed over its slots.</summary>
internal readonly record struct KernelCounters(long Messages, long Notifications, long Copies, long BytesCopied);

/// <summary>How many endpoints are blocked sending, receiving, or in a sendrec (either half).</summary>
internal readonly record struct BlockedCounts(int Sending, int Receiving, int SendRec);
