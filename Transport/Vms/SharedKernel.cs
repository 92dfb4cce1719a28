using M3Actors.Kernel;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Processes;
using M3Actors.Transport.Sync;
using M3Actors.Transport.Windows;

namespace M3Actors.Transport;

/// <summary>
/// One process's part of a VM shared between processes: its attachment to the VM's arena, and what the kernel over
/// the arena's slot records needs from it (<see cref="IRegionSharing"/>) — each record's robust lock word tagged
/// with this attachment, ports that wake the process owning a foreign endpoint, and this process's wake thread
/// (<see cref="WakeThread"/>), which runs the local ports other processes asked for.
/// </summary>
internal sealed unsafe class SharedKernel : IRegionSharing
{
    private readonly Arena.Arena _arena;
    private readonly KernelRegion _region;
    private readonly int _tag;
    private readonly ForeignPort?[] _ports;
    private readonly WakeSummary _summary;
    private readonly KernelReaper _reaper;
    private readonly CopyWindows _windows;
    private WakeThread? _wakeThread;
    private IpcKernel? _kernel;
    private int _disposed;

    private SharedKernel(Arena.Arena arena, KernelReaper reaper, CopyWindows windows, int slots)
    {
        _arena = arena;
        _reaper = reaper;
        _windows = windows;
        _region = arena.SlotRegion(slots);
        _tag = arena.OwnerTag;
        _ports = new ForeignPort?[slots];
        _summary = new WakeSummary(arena.Processes, slots);
    }

    /// <summary>The attachment (for tests: its process index, the process table).</summary>
    internal Arena.Arena Arena => _arena;

    /// <summary>Reaps the endpoints of attached processes that died (for tests: how many it unbound).</summary>
    internal KernelReaper Reaper => _reaper;

    /// <summary>This process's copy window and the others' (vcopy across processes).</summary>
    internal CopyWindows Windows => _windows;

    /// <summary>Attaches to the arena <paramref name="options"/> names, with a copy window of up to
    /// <paramref name="windowBytes"/> bytes of buffers.</summary>
    internal static SharedKernel Attach(ArenaOptions options, long windowBytes)
    {
        var reaper = new KernelReaper();
        CopyWindows? windows = null;
        var arena = Transport.Arena.Arena.Attach(options, dead =>
        {
            // Its window is forgotten after the reap (its endpoints are gone, so no copy resolves it again), or at
            // once when the reap waits for this process's kernel (then no copy runs here yet).
            var finished = reaper.OnDeath(dead);
            windows?.Forget(dead);
            return finished;
        }, () => reaper.CanReap);
        try
        {
            windows = new CopyWindows(arena.Path, arena.Processes, arena.ProcessIndex, windowBytes);
            return new SharedKernel(arena, reaper, windows, options.Layout.SlotCount);
        }
        catch
        {
            arena.Dispose();
            throw;
        }
    }

    /// <summary>The VM's kernel over the arena's records; starts this process's wake thread for it.</summary>
    internal IpcKernel CreateKernel(VmOptions vm, int maxCopyBytes)
    {
        if (_wakeThread is not null) throw new InvalidOperationException("the shared kernel already has its kernel");
        var kernel = new IpcKernel(vm.SystemSlots, vm.UserSlots, vm.PrivilegesOf, maxCopyBytes, _region, this);
        _wakeThread = new WakeThread(kernel, _region, _arena.Processes, _summary, _arena.ProcessIndex,
            _arena.SpinGate, $"m3-wake vm{vm.Id}");
        _kernel = kernel;
        _reaper.Start(kernel, _arena.Processes);
        return kernel;
    }

    /// <inheritdoc />
    public void Lock(int slot)
    {
        // Infinite: a holder that dies is detected (OwnerDied) and its lock taken over; what its section left half
        // done in this record is repaired before the section goes on (the reaper repairs every record later too).
        var result = SharedLock.Acquire(ref _region.Record(slot)->LockWord, _tag, _arena.Processes, _arena.SpinGate,
            Timeout.InfiniteTimeSpan);
        if (result != LockResult.OwnerDied) return;
        _kernel?.RepairRecord(slot);
        // A blocking call the dead holder ended but did not mark: nobody else would ever wake its owner.
        Transport.RecordWait.CompleteOrphan(_region.Record(slot));
    }

    /// <inheritdoc />
    public void Unlock(int slot)
    {
        var record = _region.Record(slot);
        // A blocking call this section ended is marked with this process before anyone else can see the outcome.
        Transport.RecordWait.MarkWritten(record, _tag);
        SharedLock.Release(ref record->LockWord, _tag);
    }

    /// <inheritdoc />
    public IEndpointPort ForeignPort(int slot, int processIndex)
    {
        var port = Volatile.Read(ref _ports[slot]);
        if (port is not null && port.ProcessIndex == processIndex) return port;
        port = new ForeignPort(_region, _arena.Processes, _summary, slot, processIndex);
        Volatile.Write(ref _ports[slot], port);
        return port;
    }

    /// <inheritdoc />
    public IRecordWait RecordWait(int slot) =>
        new RecordWait(_region.Record(slot), _arena.SpinGate, _arena.Processes);

    /// <inheritdoc />
    public int ProcessIdOf(int processIndex) =>
        (uint)processIndex < (uint)_arena.Processes.Size ? _arena.Processes.PidOf(processIndex) : 0;

    /// <inheritdoc />
    public void Granted(Proc owner, int id, Memory<byte> region, BufferAccess access) =>
        _windows.Grant(owner, id, region, access);

    /// <inheritdoc />
    public void Revoked(Proc owner, int id) => _windows.Revoke(owner, id);

    /// <inheritdoc />
    public IpcStatus ForeignRegion(Proc party, BufferAddress address, int bytes, BufferAccess needed,
        out Memory<byte> region, out string? why) =>
        _windows.Resolve(party, address, bytes, needed, out region, out why);

    /// <summary>
    /// Stops the wake thread and leaves the process table. The mapping stays until nothing references the region
    /// (a late timer or a handle may still read a record), so it is unmapped by the finalizers, never under a reader.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_kernel is null) _reaper.Abandon(_arena.Processes);
        _wakeThread?.Dispose();
        _windows.Leave();
        _arena.Leave();
    }
}
