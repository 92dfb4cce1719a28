using System.Diagnostics;

namespace M3Actors.Kernel;

/// <summary>
/// One VM's kernel: its table of endpoint slots and one lock per slot (<see cref="KernelLocks"/>) that make every
/// primitive a critical section over the procs it touches. The IPC rule itself is in IpcKernel.Rule.cs, the deadlock
/// check in IpcKernel.Deadlock.cs, unbind and timeouts in IpcKernel.Release.cs, vcopy in IpcKernel.Copy.cs. Owners
/// are always woken after the locks are released (see <see cref="Wakeups"/>).
/// </summary>
internal sealed partial class IpcKernel
{
    private readonly KernelLocks _locks;
    private readonly KernelRegion _region;      // the slot records: the kernel's state
    private readonly ProcTable _slots;          // this process's views; a local entry is written under its slot's lock
    private readonly IRegionSharing? _sharing;  // set when the region is shared with other processes
    private readonly int _systemSlots;
    private readonly Func<int, Privileges> _privileges;
    private readonly int _maxCopyBytes;
    // Used only by bind, WhenBound and shutdown: the free-slot search, the bind waiters and the running flag's change.
    private readonly Lock _bindGate = new();
    private readonly Dictionary<int, TaskCompletionSource<Endpoint>> _bindWaiters = new();
    private int _nextUserSlot;
    private volatile bool _running = true;

    /// <summary>
    /// A kernel over <paramref name="region"/>'s slot records, or over a private region of its own when null. A
    /// supplied region must have exactly <paramref name="systemSlots"/> + <paramref name="userSlots"/> records; with
    /// <paramref name="sharing"/> it is shared with other processes, which lock its records and own some of its slots.
    /// </summary>
    internal IpcKernel(int systemSlots, int userSlots, Func<int, Privileges> privileges, int maxCopyBytes,
        KernelRegion? region = null, IRegionSharing? sharing = null)
    {
        _systemSlots = systemSlots;
        var slots = systemSlots + userSlots;
        if (region is not null && region.Slots != slots)
        {
            throw new ArgumentException(
                $"the region has {region.Slots} slot records, the VM {slots} slots", nameof(region));
        }
        if (sharing is not null && region is null)
            throw new ArgumentException("a kernel shared between processes needs the shared region", nameof(region));
        _region = region ?? KernelRegion.Allocate(slots);
        _sharing = sharing;
        _slots = new ProcTable(_region, sharing, privileges);
        _locks = new KernelLocks(_region, sharing);
        _privileges = privileges;
        _maxCopyBytes = maxCopyBytes;
        _nextUserSlot = systemSlots;
    }

    internal bool IsRunning => _running;

    /// <summary>The region holding the slot records.</summary>
    internal KernelRegion Region => _region;

    /// <summary>The transport's hooks when the region is shared with other processes; null for a private one.</summary>
    internal IRegionSharing? Sharing => _sharing;

    /// <summary>Binds a slot (a free user slot when <paramref name="slot"/> is null). Throws <see cref="IpcException"/>.</summary>
    internal Proc Bind(int? slot, IEndpointPort port, OwnerKind kind, string owner)
    {
        lock (_bindGate)
        {
            if (!_running) throw new IpcException(IpcStatus.VmNotRunning, "cannot bind: the VM has ended");
            Proc? p;
            // The search reads the records without their locks, so in a shared region another process can take the
            // slot it found before the lock is ours: the claim is decided under the record's lock, and a lost one
            // searches on from the next slot (each loss is a slot someone else got, so the search ends).
            do p = TryBindAt(slot ?? FindFreeUserSlot(), port, kind, owner, anySlot: slot is null);
            while (p is null);
            Trace.Bound(p.Ep, owner);
            if (_bindWaiters.Remove(p.Slot, out var waiter)) waiter.TrySetResult(p.Ep);     // continuations run asynchronously
            ReportBound(p);
            return p;
        }
    }

    // Binds slot s under its lock; null when s was found by the free-slot search and is taken by now.
    private Proc? TryBindAt(int s, IEndpointPort port, OwnerKind kind, string owner, bool anySlot)
    {
        CheckPartition(s);
        if ((uint)s >= (uint)_slots.Length)
            throw new IpcException(IpcStatus.Range, $"slot {s} is outside 0..{_slots.Length - 1}");
        using (_locks.Enter(s))
        {
            if (_slots[s] is { IsForeign: false } holder)
                throw new IpcException(IpcStatus.SlotUsed, $"slot {s} is already bound to {holder.Owner} as {holder.Ep}");
            // The record is the truth: in a shared region another process may hold the slot without a view here.
            if (_region.StateOf(s) != SlotState.Free)
            {
                if (anySlot) return null;
                throw new IpcException(IpcStatus.SlotUsed, $"slot {s} is already bound to {_region.OwnerName(s)}");
            }
            var generation = s < _systemSlots ? 0 : NextGeneration(GenerationOf(s));
            var privileges = _privileges(s);
            _region.Bind(s, Endpoint.Of(generation, s), kind, owner, privileges);
            var p = new Proc(_region, _slots, s, port, owner, privileges);
            _slots.Set(p);
            AssertInvariants(p);
            return p;
        }
    }

    /// <summary>Completes when <paramref name="slot"/> is bound (at once if it is); fails when the VM ends first.</summary>
    internal Task<Endpoint> WhenBound(int slot)
    {
        if ((uint)slot >= (uint)_slots.Length)
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"the VM has slots 0..{_slots.Length - 1}");
        lock (_bindGate)
        {
            // Binds happen under the gate, so a slot seen free here gets its waiter completed by the next bind.
            if (_slots.Resolve(slot) is { Bound: true } p) return Task.FromResult(p.Ep);
            if (!_running) return Task.FromException<Endpoint>(new IpcException(IpcStatus.VmNotRunning, "the VM has ended"));
            // Another process's bind completes no waiter here: watch the record instead.
            if (_sharing is not null) return PollBoundAsync(slot);
            if (!_bindWaiters.TryGetValue(slot, out var waiter))
                _bindWaiters[slot] = waiter = new TaskCompletionSource<Endpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiter.Task;
        }
    }

    /// <summary>
    /// Debug builds only (the tests' build), for the fault-injection test host: called inside every state change of a
    /// proc, once after its new partner is named and once after its flags are stored, so the host can stop a section
    /// there for good and be killed with the record half written (KillGapTests). Never set outside that host.
    /// </summary>
    internal static Action<Proc>? BetweenStateStores;

    // Sets p's blocking state and republishes its waits-for word to match: the one place flags change, so the word a
    // deadlock walk reads always agrees with them (Committed while blocked on a partner, none otherwise).
    // In a region shared between processes the writer may be killed between any two of these stores (a server taking
    // a client's request writes the client's record), and a dead endpoint's reaper finds the calls to release by the
    // flags and the partner they name. So a partner is named before the flags say the call waits for it, and cleared
    // only after they stop saying so: every prefix of the stores is a state the reaper releases (with the flags
    // first, a request taken up to its source's store was a call "receiving from NONE" that no reap ended).
    private static void SetState(Proc p, ProcFlags flags, Endpoint sendTo, Endpoint getFrom)
    {
        if (sendTo != Endpoint.None) p.SendTo = sendTo;
        if (getFrom != Endpoint.None) p.GetFrom = getFrom;
        StateStored(p);
        p.Flags = flags;
        StateStored(p);
        if (sendTo == Endpoint.None) p.SendTo = sendTo;
        if (getFrom == Endpoint.None) p.GetFrom = getFrom;
        var edge = EdgeOf(p);
        if (WaitsFor.Edge(p.WaitWord) != edge) WaitsFor.Publish(ref p.WaitWord, edge);
    }

    [Conditional("DEBUG")]
    private static void StateStored(Proc p) => BetweenStateStores?.Invoke(p);

    // The committed edge p's flags describe: a sender waits for its destination, a receiver for a named source.
    private static long EdgeOf(Proc p) =>
        p.IsSending ? WaitsFor.EdgeOf(p.SendTo, sending: true, WaitsFor.Committed)
        : p.IsReceiving && p.GetFrom != Endpoint.Any ? WaitsFor.EdgeOf(p.GetFrom, sending: false, WaitsFor.Committed)
        : 0;

    private static void BeginCall(Proc p, ProcFlags flags, Endpoint? sendTo = null, Endpoint? getFrom = null)
    {
        SetState(p, flags, sendTo ?? Endpoint.None, getFrom ?? Endpoint.None);
        p.CallSeq++;
    }

    // Takes p out of whatever it is blocked in, without completing it. Holds p's lock and, when p is sending, the
    // lock of the proc whose queue it is in.
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
        SetState(p, ProcFlags.None, Endpoint.None, Endpoint.None);
    }

    // Ends p's call with status. A proc pinned by a vcopy keeps the outcome held: the copy's end wakes it.
    private void Complete(Proc p, IpcStatus status, ref Wakeups wake)
    {
        Trace.Woken(p.Ep, status);
        // The result before the state: a completer killed right after clearing the flags leaves an ended call that
        // the lock's next taker completes (CompleteOrphan), and its owner then reads this result, not the last call's.
        p.Result = status;
        SetState(p, ProcFlags.None, Endpoint.None, Endpoint.None);
        if (status != IpcStatus.Ok) p.LastError = status.Describe();
        if (p.Copying)
        {
            p.OutcomeHeld = true;
            return;
        }
        p.HasOutcome = p.Kind == OwnerKind.Actor;   // a thread reads its outcome straight after the wakeup
        wake.Completed(p);
    }

    // The proc holding endpoint e, bound or being unbound (it leaves the table only once its unbind is done); the
    // caller holds e's slot lock, or reads without one in a deadlock walk.
    private Proc? Lookup(Endpoint e)
    {
        if ((uint)e.Slot >= (uint)_slots.Length) return null;
        var p = _slots[e.Slot];
        if (p is not null && p.Ep == e) return p;
        return _sharing is not null && _slots.Resolve(e.Slot) is { } q && q.Ep == e ? q : null;
    }

    private int FindFreeUserSlot()
    {
        var users = _slots.Length - _systemSlots;
        for (var i = 0; i < users; i++)
        {
            var s = _systemSlots + (_nextUserSlot - _systemSlots + i) % users;
            if (_slots[s] is { IsForeign: false } || _region.StateOf(s) != SlotState.Free || !MayAllocate(s)) continue;
            _nextUserSlot = s + 1 < _slots.Length ? s + 1 : _systemSlots;
            return s;
        }
        throw new IpcException(IpcStatus.Busy, $"all {users} user slots of the VM are bound");
    }

    // The generation of the current or last binding of a slot: the record keeps the endpoint value after unbind.
    private unsafe int GenerationOf(int slot) => _region.Record(slot)->Endpoint.Generation;

    private static int NextGeneration(int generation) => generation >= Endpoint.MaxGeneration ? 1 : generation + 1;
}
