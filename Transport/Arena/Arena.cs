using System.Runtime.CompilerServices;
using M3Actors.Kernel;
using M3Actors.Transport.Native;
using M3Actors.Transport.Processes;
using M3Actors.Transport.Sync;

namespace M3Actors.Transport.Arena;

/// <summary>
/// This process's attachment to a VM's arena: the mapped file, its entry in the process table, the watcher that
/// reaps dead processes. Disposing leaves the table and unmaps; the file stays for the others. Several
/// attachments may live in one process (each is its own entry), which is how tests run several survivors.
/// </summary>
internal sealed unsafe class Arena : IDisposable
{
    /// <summary>The attach lock is tagged with the pid: joins of one process must not overlap.</summary>
    private static readonly Lock JoinLock = new();

    private readonly ArenaFile _file;
    private readonly DeathWatcher _watcher;
    private readonly int _pid;
    private bool _disposed;
    private bool _left;

    private Arena(ArenaFile file, ProcessTable processes, int index, bool reinitialised,
        Func<DeadProcess, bool> onDeath, Func<bool>? canReap, ArenaOptions options)
    {
        _file = file;
        Layout = options.Layout;
        _pid = ProcessIdentity.Self.Pid;
        Processes = processes;
        ProcessIndex = index;
        Reinitialised = reinitialised;
        SpinGate = new SpinGate((int*)Unsafe.AsPointer(ref file.Header.Spinners),
            (int*)Unsafe.AsPointer(ref processes.SpinnersOf(index)));
        _watcher = new DeathWatcher(processes, new ProcessReaper(processes, onDeath, canReap), index,
            options.WatchWithPidfd);
    }

    /// <summary>The arena file.</summary>
    public string Path => _file.Path;

    /// <summary>This attachment's death watcher (for tests: its thread's priority).</summary>
    internal DeathWatcher Watcher => _watcher;

    /// <summary>True when this attachment created the file.</summary>
    public bool Created => _file.Created;

    /// <summary>
    /// True when this attachment found a stale arena (processes in its table, all dead) and reinitialised it:
    /// reaped every entry (with the death callback) and cleared the slot records.
    /// </summary>
    public bool Reinitialised { get; }

    /// <summary>How many times the arena was reinitialised since its creation.</summary>
    public long Epoch => Volatile.Read(ref _file.Header.Epoch);

    /// <summary>The layout the arena was attached with.</summary>
    public ArenaLayout Layout { get; }

    /// <summary>The process table.</summary>
    public ProcessTable Processes { get; }

    /// <summary>This attachment's entry in the process table.</summary>
    public int ProcessIndex { get; }

    /// <summary>The tag this attachment puts in the lock words it holds.</summary>
    public int OwnerTag => Processes.TagOf(ProcessIndex);

    /// <summary>The machine-wide spinner count that sizes every spin.</summary>
    public SpinGate SpinGate { get; }

    /// <summary>
    /// Creates or attaches to the arena <paramref name="options"/> names and joins its process table.
    /// <paramref name="onDeath"/> runs once per death of another attached process, in the survivor that reaps it.
    /// </summary>
    public static Arena Attach(ArenaOptions options, Action<DeadProcess>? onDeath = null) =>
        Attach(options, dead =>
        {
            onDeath?.Invoke(dead);
            return true;
        });

    /// <summary>
    /// <see cref="Attach(ArenaOptions, Action{DeadProcess})"/> with a callback that may leave a reap unfinished
    /// (false): the entry then stays marked as reaped by this process until the callback's owner finishes it
    /// (<see cref="ProcessTable.FinishReap"/>) or hands it back (<see cref="ProcessTable.AbandonReap"/>). While
    /// <paramref name="canReap"/> says false, this process leaves the deaths it sees to the others (but those it
    /// must reap to find a free entry when joining) and reaps those still there once it says true.
    /// </summary>
    public static Arena Attach(ArenaOptions options, Func<DeadProcess, bool> onDeath, Func<bool>? canReap = null)
    {
        var file = ArenaFile.Open(options);
        try
        {
            var header = file.Header;
            var processes = new ProcessTable(file.Base + ArenaLayout.ProcessTableOffset,
                options.Layout.ProcessTableSize, header);
            int index;
            bool reinitialised;
            lock (JoinLock)
            {
                (index, reinitialised) = Join(file, processes, onDeath, canReap, options);
            }
            try
            {
                return new Arena(file, processes, index, reinitialised, onDeath, canReap, options);
            }
            catch
            {
                processes.Leave(index, ProcessIdentity.Self.Pid);
                throw;
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Word <paramref name="word"/> (a 4-byte index) of slot record <paramref name="slot"/>.</summary>
    public ref int SlotWord(int slot, int word)
    {
        if ((uint)slot >= (uint)Layout.SlotCount)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"The arena has {Layout.SlotCount} slots.");
        }
        if ((uint)word >= (uint)(Layout.SlotRecordSize / sizeof(int)))
        {
            throw new ArgumentOutOfRangeException(nameof(word), word,
                $"A slot record has {Layout.SlotRecordSize / sizeof(int)} words.");
        }
        return ref *(int*)(_file.Base + Layout.SlotsOffset + (long)slot * Layout.SlotRecordSize + word * sizeof(int));
    }

    /// <summary>
    /// The kernel's region over this arena's slot records, for a VM of <paramref name="slots"/> slots, binding as
    /// this attachment (<see cref="ProcessIndex"/>). The header's slot count must be <paramref name="slots"/>
    /// (<see cref="ArenaFailure.LayoutMismatch"/> otherwise). The region reads the mapping: dispose this arena only
    /// after the kernel over it is done.
    /// </summary>
    public KernelRegion SlotRegion(int slots)
    {
        var inHeader = Volatile.Read(ref _file.Header.SlotCount);
        if (slots != inHeader)
        {
            throw new ArenaException(ArenaFailure.LayoutMismatch, Path,
                $"the arena has {inHeader} slot records, but the VM has {slots} slots.");
        }
        return KernelRegion.Over(_file.Base + Layout.SlotsOffset, (long)slots * Layout.SlotRecordSize, slots,
            Layout.SlotRecordSize, owner: this, ProcessIndex);
    }

    /// <summary>Stops watching, leaves the process table and unmaps.</summary>
    public void Dispose()
    {
        Leave();
        if (_disposed) return;
        _disposed = true;
        _file.Dispose();
        GC.SuppressFinalize(this);
    }

    // After Leave, nothing references the arena any more (a kernel region over it holds it) and its watcher has
    // stopped, so nothing can read the mapping: unmap it. Without Leave the watcher may still run: keep it mapped.
    ~Arena()
    {
        if (_left && !_disposed) _file.Dispose();
    }

    /// <summary>
    /// Stops watching and leaves the process table, but keeps the mapping: a kernel region over it may still be read
    /// (a late timer, a stale handle); the finalizer unmaps it once nothing references this arena.
    /// </summary>
    public void Leave()
    {
        if (_left) return;
        _left = true;
        _watcher.Dispose();
        Processes.Leave(ProcessIndex, _pid);
    }

    /// <summary>
    /// Joins under the attach lock, so a stale arena is reinitialised by exactly one joiner and no other process
    /// uses it meanwhile: a process only becomes Alive inside this lock, and the reset happens only when no entry
    /// but dead ones was found.
    /// </summary>
    private static (int Index, bool Reinitialised) Join(ArenaFile file, ProcessTable processes,
        Func<DeadProcess, bool> onDeath, Func<bool>? canReap, ArenaOptions options)
    {
        var self = ProcessIdentity.Self;
        ref var attachLock = ref file.Header.AttachLock;
        var locked = SharedLock.Acquire(ref attachLock, self.Pid, PidLockOwners.Instance, gate: null,
            options.AttachTimeout);
        if (locked == LockResult.TimedOut)
        {
            throw new ArenaException(ArenaFailure.AttachTimedOut, file.Path,
                $"the attach lock stayed with pid {SharedLock.OwnerOf(Volatile.Read(ref attachLock))} " +
                $"for {options.AttachTimeout}.");
        }
        try
        {
            // A joiner that died holding the lock (OwnerDied) left at most a Joining entry: reaped below like any.
            // With no live process the arena is stale and its records are cleared below: its dead need no kernel
            // reap, so their entries are freed at once whatever the callback says (it still sees every death).
            // A joiner that cannot reap yet (no kernel) leaves the dead to the live processes, which reap them at
            // once, unless it needs one of their entries: a reap it won would wait for its kernel.
            var reaper = new ProcessReaper(processes, onDeath, canReap);
            var live = reaper.CountLive(exceptIndex: -1);
            var reaped = 0;
            if (live == 0)
            {
                // Stale: the records are cleared below, so the dead need no kernel reap.
                reaped = new ProcessReaper(processes, dead =>
                {
                    onDeath(dead);
                    return true;
                }).ReapAllDead(exceptIndex: -1).Reaped;
            }
            else if (reaper.CanReap || !processes.HasFreeEntry)
            {
                reaped = reaper.ReapAllDead(exceptIndex: -1).Reaped;
            }
            var stale = reaped > 0 && live == 0;
            if (stale)
            {
                var slots = options.Layout;
                new Span<byte>(file.Base + slots.SlotsOffset, checked((int)(slots.TotalSize - slots.SlotsOffset)))
                    .Clear();
                Interlocked.Increment(ref file.Header.Epoch);
            }
            var index = processes.TryJoin(self);
            if (index < 0)
            {
                throw new ArenaException(ArenaFailure.ProcessTableFull, file.Path,
                    $"all {processes.Size} process-table entries belong to live processes.");
            }
            return (index, stale);
        }
        finally
        {
            SharedLock.Release(ref attachLock, self.Pid);
        }
    }
}
