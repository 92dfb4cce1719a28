namespace M3Actors.Kernel;

/// <summary>
/// This process's views of the VM's slots (<see cref="Proc"/>), by slot number. A view of a local binding is written
/// by bind and cleared by unbind, under the slot's lock. In a region shared between processes a slot may be bound by
/// another process: <see cref="Resolve"/> then builds (or refreshes, once the record holds a later binding) a view of
/// it from the record, whose port wakes the owning process, so the rule runs on a foreign endpoint exactly as on a
/// local one.
/// </summary>
internal sealed unsafe class ProcTable
{
    private readonly Proc?[] _views;
    private readonly KernelRegion _region;
    private readonly IRegionSharing? _sharing;
    private readonly Func<int, Privileges> _privileges;

    internal ProcTable(KernelRegion region, IRegionSharing? sharing, Func<int, Privileges> privileges)
    {
        _views = new Proc?[region.Slots];
        _region = region;
        _sharing = sharing;
        _privileges = privileges;
    }

    /// <summary>Slots of the VM.</summary>
    internal int Length => _views.Length;

    /// <summary>This process's view of <paramref name="slot"/> as it stands (none for a foreign one not yet
    /// resolved).</summary>
    internal Proc? this[int slot] => Volatile.Read(ref _views[slot]);

    /// <summary>Makes <paramref name="p"/> the view of its slot (bind, under the slot's lock).</summary>
    internal void Set(Proc p) => Volatile.Write(ref _views[p.Slot], p);

    /// <summary>Drops <paramref name="p"/> if it is still its slot's view (unbind, under the slot's lock).</summary>
    internal bool Clear(Proc p)
    {
        if (Volatile.Read(ref _views[p.Slot]) != p) return false;
        Volatile.Write(ref _views[p.Slot], null);
        return true;
    }

    /// <summary>
    /// The view of whatever binding <paramref name="slot"/>'s record holds, local or (in a shared region) foreign;
    /// null when the record is free and no local view is left. Safe without the slot's lock: a foreign view is
    /// swapped in by compare-and-swap, and a stale one reads as unbound.
    /// </summary>
    internal Proc? Resolve(int slot)
    {
        var view = Volatile.Read(ref _views[slot]);
        if (_sharing is null || view is { IsForeign: false } || (view is not null && view.IsCurrent)) return view;
        var record = _region.Record(slot);
        if (_region.StateOf(slot) == SlotState.Free) return view;
        var owner = Volatile.Read(ref record->ProcessIndex);
        if (owner == _region.ProcessIndex) return view;     // our own bind, between its record and its view
        var fresh = new Proc(_region, this, slot, _sharing.ForeignPort(slot, owner), _region.OwnerName(slot),
            _privileges(slot));
        var seen = Interlocked.CompareExchange(ref _views[slot], fresh, view);
        return seen == view ? fresh : Resolve(slot);
    }

    /// <summary>The pid of the process that owns <paramref name="p"/> (this process's for a local view).</summary>
    internal int ProcessIdOf(Proc p) =>
        _sharing is null ? Environment.ProcessId : _sharing.ProcessIdOf(p.Record->ProcessIndex);
}
