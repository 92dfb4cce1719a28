using System.Collections.Concurrent;
using System.Diagnostics;

namespace M3Actors.Smp;

/// <summary>
/// One virtual CPU of a <see cref="VcpuDispatcher"/>: a dedicated thread pinned to a physical CPU, with its counters.
/// Code outside the kernel reports work through <see cref="Current"/>: <c>Vcpu.Current?.OnKernelEntry()</c>; the IPC
/// kernel counts an actor's calls on the vCPU its slot names (<see cref="ActorSlot.CountKernelEntry"/>), with no
/// thread-static read.
/// </summary>
public sealed class Vcpu
{
    [ThreadStatic] private static Vcpu? t_current;

    // Raised by the first vCPU thread of the process: until then Current skips the thread-static read, a call into
    // the runtime's TLS on Linux that every kernel entry would otherwise pay.
    private static volatile bool s_anyBound;

    internal VcpuCounters Counters;
    private int _physicalCpu = -1;
    private readonly Lock _loadSampleLock = new();
    private long _loadSampleBusy;
    private long _loadSampleAt;

    internal Vcpu(int id, long startedAt)
    {
        Id = id;
        StartedAt = startedAt;
        _loadSampleAt = startedAt;
        Counters.State = VcpuState.Running;
    }

    /// <summary>The vCPU whose thread is running now, or null on any thread that is not a vCPU thread.</summary>
    public static Vcpu? Current => s_anyBound ? t_current : null;

    /// <summary>This vCPU's index within its dispatcher, from 0 to vcpus - 1.</summary>
    public int Id { get; }

    /// <summary>The physical CPU this vCPU's thread is pinned to, or -1 when it runs unpinned.</summary>
    public int PhysicalCpu
    {
        get => Volatile.Read(ref _physicalCpu);
        internal set => Volatile.Write(ref _physicalCpu, value);
    }

    /// <summary>Run queue of this vCPU under the affinity policies (unused under symmetric).</summary>
    internal ConcurrentQueue<WorkItem> Queue { get; } = new();

    /// <summary>
    /// The host's run-queue wait of this vCPU's thread, which <see cref="RunPreemption"/> discounts; set by the thread
    /// before the dispatcher starts ticking, null where the host keeps no such statistics.
    /// </summary>
    internal HostWaitClock? HostWait { get; set; }

    /// <summary>Released by a producer that moved this vCPU from Parked to Spinning.</summary>
    internal SemaphoreSlim WakeSignal { get; } = new(0);

    /// <summary>Stopwatch timestamp at which this vCPU was created (the origin of its load figures).</summary>
    internal long StartedAt { get; }

    internal int State => Volatile.Read(ref Counters.State);

    /// <summary>
    /// Counts one IPC primitive call (a "kernel entry"). Allocation-free; must be called on this vCPU's own thread,
    /// which is what <c>Vcpu.Current?.OnKernelEntry()</c> guarantees.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from a thread that is not this vCPU's.</exception>
    public void OnKernelEntry()
    {
        EnsureOwner();
        // Single writer: a plain increment published with a release store is exact and needs no lock prefix.
        AddKernelEntry();
    }

    /// <summary>
    /// Counts one IPC message handed to an endpoint. Allocation-free; must be called on this vCPU's own thread.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from a thread that is not this vCPU's.</exception>
    public void OnMessageDelivered()
    {
        EnsureOwner();
        AddDelivery();
    }

    /// <inheritdoc/>
    public override string ToString() => $"vCPU {Id} (CPU {PhysicalCpu})";

    internal static void BindToCurrentThread(Vcpu vcpu)
    {
        t_current = vcpu;
        Actors.CapturedRuns.BindVcpu(vcpu);
        s_anyBound = true;
    }

    /// <summary>
    /// Counts a kernel entry without the owner check: for an actor's handler, which runs on this vCPU's thread
    /// (<see cref="ActorSlot.CountKernelEntry"/>), so the IPC kernel counts without reading the thread's vCPU.
    /// </summary>
    internal void AddKernelEntry() => Volatile.Write(ref Counters.KernelEntries, Counters.KernelEntries + 1);

    /// <summary>Counts a delivery without the owner check, as <see cref="AddKernelEntry"/>.</summary>
    internal void AddDelivery() => Volatile.Write(ref Counters.IpcDeliveries, Counters.IpcDeliveries + 1);

    /// <summary>Counts a user message dispatched to an actor on this vCPU; any thread may call it.</summary>
    internal void CountMessage() => Interlocked.Increment(ref Counters.Messages);

    /// <summary>
    /// Counts a mailbox run this vCPU's thread takes without its run queue: a returned handler's hand-over to the
    /// partner it woke on the same vCPU (<see cref="Actors.DeferredWakes"/>). Only this vCPU's own thread calls it.
    /// </summary>
    internal void CountHandOverRun() => Volatile.Write(ref Counters.Runs, Counters.Runs + 1);

    /// <summary>
    /// Counts an actor that moved to this vCPU to take a hand-over (a policy that moves actors), as
    /// <see cref="CountHandOverRun"/>: only this vCPU's own thread calls it.
    /// </summary>
    internal void CountHandOverMigration() => Volatile.Write(ref Counters.Migrations, Counters.Migrations + 1);

    /// <summary>Moves a parked vCPU to Spinning and wakes it; no-op when it is not parked.</summary>
    internal bool WakeIfParked()
    {
        if (Volatile.Read(ref Counters.State) != VcpuState.Parked) return false;
        if (Interlocked.CompareExchange(ref Counters.State, VcpuState.Spinning, VcpuState.Parked) != VcpuState.Parked)
            return false;
        WakeSignal.Release();
        return true;
    }

    internal VcpuSnapshot Snapshot(long now)
    {
        var busy = BusyTicks(now);
        return new VcpuSnapshot(
            Id,
            PhysicalCpu,
            Volatile.Read(ref Counters.KernelEntries),
            Volatile.Read(ref Counters.IpcDeliveries),
            Volatile.Read(ref Counters.Runs),
            Volatile.Read(ref Counters.Messages),
            Volatile.Read(ref Counters.Steals),
            Volatile.Read(ref Counters.Migrations),
            Stopwatch.GetElapsedTime(0, busy),
            Stopwatch.GetElapsedTime(StartedAt, now),
            State == VcpuState.Running,
            Queue.Count);
    }

    /// <summary>Load in percent since the previous call (the metrics gauge's sampling interval).</summary>
    internal double SampleLoadPercent(long now)
    {
        lock (_loadSampleLock)
        {
            var busy = BusyTicks(now);
            var elapsed = now - _loadSampleAt;
            var load = elapsed <= 0 ? 0 : 100.0 * (busy - _loadSampleBusy) / elapsed;
            _loadSampleBusy = busy;
            _loadSampleAt = now;
            return Math.Clamp(load, 0, 100);
        }
    }

    private long BusyTicks(long now)
    {
        // The open busy period counts too, so a vCPU stuck in one long handler shows as busy right away.
        var since = Volatile.Read(ref Counters.BusySince);
        var closed = Volatile.Read(ref Counters.BusyTicks);
        return since == 0 ? closed : closed + Math.Max(0, now - since);
    }

    private void EnsureOwner()
    {
        if (!ReferenceEquals(t_current, this))
            throw new InvalidOperationException($"{this}: counters may only be bumped on its own thread (use Vcpu.Current).");
    }
}
