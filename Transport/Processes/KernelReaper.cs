using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using M3Actors.Kernel;
using M3Actors.Transport.Native;
using M3Actors.Transport.Sync;

namespace M3Actors.Transport.Processes;

/// <summary>
/// The death callback of a shared VM's attachment: when this process wins the reap of another attached process, it
/// runs the kernel's repair and release for that process's process-table entry
/// (<see cref="IpcKernel.RepairAfterDeath"/>, <see cref="IpcKernel.ReleaseDead"/>), so the dead process's lock words
/// are taken over, its half-done sections repaired and its partners released with DstDied / SrcDied. A death won while attaching, before this process's kernel exists, is reaped as soon as the
/// kernel is there, and its entry stays marked as reaped by this process until then: freed earlier, it could be
/// joined again, and the late reap would then unbind the newcomer's endpoints, while the dead process's would stay
/// bound to an entry that no longer names it.
/// </summary>
internal sealed class KernelReaper
{
    private readonly Lock _gate = new();
    private readonly List<DeadProcess> _early = [];
    private IpcKernel? _kernel;
    private ProcessTable? _abandoned;     // set when this attachment leaves without a kernel
    private int _unbound;

    /// <summary>Endpoints unbound by this process's reaps so far (tests, the example).</summary>
    public int Unbound => Volatile.Read(ref _unbound);

    /// <summary>
    /// True once the kernel exists: before, a reap won here would wait for it (and the dead process's partners with
    /// it), so the attachment leaves the deaths it sees to the survivors that have theirs.
    /// </summary>
    public bool CanReap
    {
        get
        {
            lock (_gate) return _kernel is not null;
        }
    }

    /// <summary>Raised after each reap this process ran, with its stages' times (the tests' release figures).</summary>
    public event Action<ReapTimes>? Reaped;

    /// <summary>
    /// The callback for <see cref="Arena.Arena.Attach(Arena.ArenaOptions, Func{DeadProcess, bool}, Func{bool})"/>: reaps
    /// <paramref name="dead"/>'s endpoints; false while there is no kernel yet (the reap is finished by
    /// <see cref="Start"/>, or handed back by <see cref="Abandon"/>).
    /// </summary>
    public bool OnDeath(DeadProcess dead)
    {
        IpcKernel? kernel;
        lock (_gate)
        {
            kernel = _kernel;
            if (kernel is null)
            {
                // Handed back at once when this attachment will never have a kernel.
                if (_abandoned is { } table) table.AbandonReap(dead.Index, dead.Pid, ProcessIdentity.Self.Pid);
                else _early.Add(dead);
                return false;
            }
        }
        Reap(kernel, dead);
        return true;
    }

    /// <summary>Reaps through <paramref name="kernel"/> from now on, and finishes the reaps won before it existed.
    /// </summary>
    public void Start(IpcKernel kernel, ProcessTable table)
    {
        IpcKernel.PrepareReap();
        PrepareTakeOver();
        foreach (var dead in TakeEarly(kernel, null))
        {
            if (!StillOurs(table, dead)) continue;
            Reap(kernel, dead);
            table.FinishReap(dead.Index, dead.Pid, ProcessIdentity.Self.Pid);
        }
    }

    /// <summary>
    /// This attachment leaves without a kernel: the reaps it won are handed back for another survivor to redo.
    /// </summary>
    public void Abandon(ProcessTable table)
    {
        foreach (var dead in TakeEarly(null, table))
        {
            if (StillOurs(table, dead)) table.AbandonReap(dead.Index, dead.Pid, ProcessIdentity.Self.Pid);
        }
    }

    private void Reap(IpcKernel kernel, DeadProcess dead)
    {
        // The partners first: they wait for the release, the repair of unrelated records can come after it.
        var began = Stopwatch.GetTimestamp();
        var unbound = kernel.ReleaseDead(dead.Index);
        var released = Stopwatch.GetTimestamp();
        kernel.RepairAfterDeath(dead.Index);
        Interlocked.Add(ref _unbound, unbound);
        Reaped?.Invoke(new ReapTimes(dead, began, released, Stopwatch.GetTimestamp(), unbound));
    }

    // Compiles the transport's part of a reap now (taking a dead holder's lock word over, repairing the wait it left),
    // code that ordinary traffic never runs: a fresh child's first reap spent 1-3 ms in the JIT on it, with the dead
    // process's partners waiting.
    private static void PrepareTakeOver()
    {
        (Type Type, string Name)[] methods =
        [
            (typeof(SharedLock), "TryTakeOverDead"), (typeof(SharedLock), "Park"), (typeof(ProcessTable), "IsAlive"),
            (typeof(ProcessTable), "IsProcessAlive"), (typeof(RecordWait), "CompleteOrphan"),
            (typeof(SharedKernel), "Lock"),
        ];
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public
            | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var (type, name) in methods)
        {
            foreach (var method in type.GetMethods(all))
            {
                if (method.Name == name) RuntimeHelpers.PrepareMethod(method.MethodHandle);
            }
        }
    }

    // False when the attach finished the reap itself (a stale arena, whose records it cleared): the entry may be
    // another process's by now, and must not be reaped again.
    private static bool StillOurs(ProcessTable table, DeadProcess dead) =>
        table.ClaimOf(dead.Index) == ProcessClaim.Reaping(dead.Pid, ProcessIdentity.Self.Pid);

    private DeadProcess[] TakeEarly(IpcKernel? kernel, ProcessTable? abandoned)
    {
        lock (_gate)
        {
            (_kernel, _abandoned) = (kernel, abandoned);
            DeadProcess[] early = [.. _early];
            _early.Clear();
            return early;
        }
    }
}
