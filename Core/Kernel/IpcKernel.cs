using System.Diagnostics;

namespace M3Actors.Kernel;

/// <summary>
/// One VM's kernel: its table of endpoint slots and the striped locks (<see cref="KernelLocks"/>) that make every
/// primitive a critical section over the procs it touches. The IPC rule itself is in IpcKernel.Rule.cs; vcopy in
/// IpcKernel.Copy.cs. Owners are always woken after the locks are released (see <see cref="Wakeups"/>).
/// </summary>
internal sealed partial class IpcKernel
{
    // A step that needs more stripes than it holds (a queued sender on another stripe, the deadlock walk) returns
    // this before it changes anything, and is run again with the stripes it asked for.
    private const IpcStatus NeedMore = (IpcStatus)1;

    private readonly KernelLocks _locks = new();
    private readonly Proc?[] _slots;
    private readonly int[] _generations;        // of the current or last binding of each slot
    private readonly int _systemSlots;
    private readonly Func<int, Privileges> _privileges;
    private readonly int _maxCopyBytes;
    private readonly Dictionary<int, TaskCompletionSource<Endpoint>> _bindWaiters = new();
    private int _nextUserSlot;
    private volatile bool _running = true;

    internal IpcKernel(int systemSlots, int userSlots, Func<int, Privileges> privileges, int maxCopyBytes)
    {
        _systemSlots = systemSlots;
        _slots = new Proc?[systemSlots + userSlots];
        _generations = new int[_slots.Length];
        _privileges = privileges;
        _maxCopyBytes = maxCopyBytes;
        _nextUserSlot = systemSlots;
    }

    internal bool IsRunning => _running;

    /// <summary>Binds a slot (a free user slot when <paramref name="slot"/> is null). Throws <see cref="IpcException"/>.</summary>
    internal Proc Bind(int? slot, IEndpointPort port, OwnerKind kind, string owner)
    {
        using (_locks.EnterAll())
        {
            if (!_running) throw new IpcException(IpcStatus.VmNotRunning, "cannot bind: the VM has ended");
            var s = slot ?? FindFreeUserSlot();
            if ((uint)s >= (uint)_slots.Length)
                throw new IpcException(IpcStatus.Range, $"slot {s} is outside 0..{_slots.Length - 1}");
            if (_slots[s] is { } holder)
                throw new IpcException(IpcStatus.SlotUsed, $"slot {s} is already bound to {holder.Owner} as {holder.Ep}");
            var generation = s < _systemSlots ? 0 : NextGeneration(_generations[s]);
            _generations[s] = generation;
            var p = new Proc(s, Endpoint.Of(generation, s), port, kind, owner, _privileges(s), _slots.Length);
            _slots[s] = p;
            if (_bindWaiters.Remove(s, out var waiter)) waiter.TrySetResult(p.Ep);     // continuations run asynchronously
            AssertInvariants();
            return p;
        }
    }

    /// <summary>Completes when <paramref name="slot"/> is bound (at once if it is); fails when the VM ends first.</summary>
    internal Task<Endpoint> WhenBound(int slot)
    {
        using (_locks.EnterAll())
        {
            if ((uint)slot >= (uint)_slots.Length)
                throw new ArgumentOutOfRangeException(nameof(slot), slot, $"the VM has slots 0..{_slots.Length - 1}");
            if (_slots[slot] is { } p) return Task.FromResult(p.Ep);
            if (!_running) return Task.FromException<Endpoint>(new IpcException(IpcStatus.VmNotRunning, "the VM has ended"));
            if (!_bindWaiters.TryGetValue(slot, out var waiter))
                _bindWaiters[slot] = waiter = new TaskCompletionSource<Endpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiter.Task;
        }
    }

    /// <summary>
    /// Implicit and explicit unbind share this routine (rulebook §7): blocked partners are released with DstDied or
    /// SrcDied, the proc's own blocked call ends with <paramref name="ownReason"/>, its notify bits are cleared.
    /// </summary>
    internal void Unbind(Proc p, IpcStatus ownReason)
    {
        var wake = new Wakeups();
        using (_locks.EnterAll())
        {
            if (!p.Bound) return;
            ReleaseLocked(p, ownReason, ref wake);
            AssertInvariants();
        }
        wake.Run();
    }

    /// <summary>Ends the VM: every proc is unbound; later calls and binds get VmNotRunning.</summary>
    internal void Shutdown()
    {
        var wake = new Wakeups();
        using (_locks.EnterAll())
        {
            _running = false;
            // §12.5: every blocked call ends with VmNotRunning first, so no partner sees DstDied/SrcDied from a
            // teardown order; the releases below then find nobody waiting.
            foreach (var p in _slots)
            {
                if (p is null || !(p.IsBlockedInCall || (p.IsReceiving && p.GetFrom != Endpoint.Any))) continue;
                Withdraw(p);
                Complete(p, IpcStatus.VmNotRunning, ref wake);
            }
            foreach (var p in _slots)
                if (p is not null) ReleaseLocked(p, IpcStatus.VmNotRunning, ref wake);
            foreach (var waiter in _bindWaiters.Values)
                waiter.TrySetException(new IpcException(IpcStatus.VmNotRunning, "the VM ended before the slot was bound"));
            _bindWaiters.Clear();
            AssertInvariants();
        }
        wake.Run();
    }

    /// <summary>
    /// Ends call <paramref name="seq"/> of <paramref name="p"/> early (timeout or cancellation), leaving no trace in
    /// any queue. Returns false when the call already completed: its outcome is then on its way to the owner.
    /// </summary>
    internal bool Abort(Proc p, long seq, IpcStatus reason)
    {
        using (_locks.EnterAll())
        {
            if (p.CallSeq != seq || !p.IsBlockedInCall) return false;
            // A sendrec whose request the server already took leaves a debt: the server's late reply is discarded.
            if (p.IsReplyPending && p.IsReceiving && Lookup(p.GetFrom) is { } server) p.SetOwedReply(server.Slot);
            Withdraw(p);
            p.Result = reason;
            p.LastError = reason.Describe();
            p.HasOutcome = p.Kind == OwnerKind.Actor;
            p.WorkHint = true;
            AssertInvariants();
            return true;
        }
    }

    private void ReleaseLocked(Proc p, IpcStatus ownReason, ref Wakeups wake)
    {
        if (p.IsBlockedInCall)
        {
            Withdraw(p);
            Complete(p, ownReason, ref wake);
        }
        else
        {
            Withdraw(p);
        }
        p.Bound = false;
        _slots[p.Slot] = null;
        for (var s = p.QueueHead; s is not null; s = p.QueueHead)
        {
            p.Unlink(s, null);
            Complete(s, IpcStatus.DstDied, ref wake);
            s.LastError = $"{p.Ep} ended while we were sending to it";
        }
        foreach (var other in _slots)
        {
            if (other is null) continue;
            other.ClearNotify(p.Slot);
            other.ClearOwedReply(p.Slot);       // §12.1: a server that ended owes nothing any more
            if (!other.IsReceiving || other.GetFrom != p.Ep) continue;
            Complete(other, IpcStatus.SrcDied, ref wake);
            other.LastError = $"{p.Ep} ended while we were receiving from it";
        }
    }

    // Takes p out of whatever it is blocked in, without completing it.
    private void Withdraw(Proc p)
    {
        if (p.IsSending && Lookup(p.SendTo) is { } dst)
        {
            Proc? previous = null;
            for (var s = dst.QueueHead; s is not null; previous = s, s = s.NextInQueue)
            {
                if (s != p) continue;
                dst.Unlink(s, previous);
                break;
            }
        }
        p.Flags = ProcFlags.None;
        p.SendTo = p.GetFrom = Endpoint.None;
    }

    private static void Complete(Proc p, IpcStatus status, ref Wakeups wake)
    {
        p.Flags = ProcFlags.None;
        p.SendTo = p.GetFrom = Endpoint.None;
        p.Result = status;
        if (status != IpcStatus.Ok) p.LastError = status.Describe();
        p.HasOutcome = p.Kind == OwnerKind.Actor;   // a thread reads its outcome straight after the wakeup
        wake.Completed(p);
    }

    private Proc? Lookup(Endpoint e) =>
        (uint)e.Slot < (uint)_slots.Length && _slots[e.Slot] is { } p && p.Ep == e ? p : null;

    private int FindFreeUserSlot()
    {
        var users = _slots.Length - _systemSlots;
        for (var i = 0; i < users; i++)
        {
            var s = _systemSlots + (_nextUserSlot - _systemSlots + i) % users;
            if (_slots[s] is not null) continue;
            _nextUserSlot = s + 1 < _slots.Length ? s + 1 : _systemSlots;
            return s;
        }
        throw new IpcException(IpcStatus.Busy, $"all {users} user slots of the VM are bound");
    }

    private static int NextGeneration(int generation) => generation >= Endpoint.MaxGeneration ? 1 : generation + 1;

    // Checks the whole table, so only where every stripe is held.
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_locks.All.All(s => s.IsHeld));
        foreach (var p in _slots)
        {
            if (p is null) continue;
            Debug.Assert(p.Bound && _slots[p.Slot] == p, "a table entry is a bound proc in its own slot");
            Debug.Assert(!(p.IsSending && p.IsReceiving), "a proc is never sending and receiving at once");
            for (var s = p.QueueHead; s is not null; s = s.NextInQueue)
                Debug.Assert(s.IsSending && s.SendTo == p.Ep, "every queued sender is sending to the queue's owner");
        }
    }
}
