using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using M3Actors.Actors;

namespace M3Actors.Smp;

/// <summary>
/// An Akka.NET dispatcher whose actors run on N virtual CPUs: dedicated threads, each pinned to a physical CPU,
/// scheduled by a <see cref="SchedulingPolicy"/>. Configure it in HOCON (see docs/smp.md), give actors a role and
/// a vCPU with <see cref="Place(string, VcpuRole, int?)"/> before creating them, and read the per-vCPU counters with
/// <see cref="Snapshot"/> or through the <c>M3Actors</c> meter.
/// </summary>
public sealed class VcpuDispatcher : MessageDispatcher
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that publishes the vCPU counters.</summary>
    public const string MeterName = VcpuMetrics.MeterName;

    private readonly VcpuDispatcherSettings _settings;
    private readonly PlacementRules _rules;
    private readonly Vcpu[] _vcpus;
    private readonly bool _movesActors;     // symmetric and affinity-dynamic: an actor may run on any vCPU
    private readonly RunQueues _queues;
    private RunPreemption? _preemption;
    private readonly ConcurrentDictionary<string, VcpuPlacement> _placements;
    private readonly ConditionalWeakTable<Mailbox, ActorSlot> _slots = new();
    private readonly Lock _lifecycle = new();
    private VcpuWorker[]? _workers;
    private bool _stopped;

    internal VcpuDispatcher(VcpuDispatcherConfigurator configurator, VcpuDispatcherSettings settings)
        : base(configurator)
    {
        _settings = settings;
        Id = settings.Id;
        Throughput = settings.Throughput;
        // Null except while RunPreemption ends runs (it sets 0): never a duration, which Akka would read as a time.
        ThroughputDeadlineTime = null;
        ShutdownTimeout = settings.ShutdownTimeout;
        _rules = new PlacementRules(settings.Policy, settings.Vcpus, settings.ReservedVcpus);
        var now = Stopwatch.GetTimestamp();
        _vcpus = Enumerable.Range(0, settings.Vcpus).Select(i => new Vcpu(i, now)).ToArray();
        _movesActors = settings.Policy is SchedulingPolicy.Symmetric or SchedulingPolicy.AffinityDynamic;
        _queues = settings.Policy == SchedulingPolicy.Symmetric
            ? new SharedRunQueue(_vcpus)
            : new PerVcpuRunQueues(_vcpus, steal: settings.Policy == SchedulingPolicy.AffinityDynamic);
        _placements = new ConcurrentDictionary<string, VcpuPlacement>(settings.Placements, StringComparer.Ordinal);
        Vcpus = _vcpus;
    }

    /// <summary>The scheduling policy from HOCON <c>policy</c>.</summary>
    public SchedulingPolicy Policy => _settings.Policy;

    /// <summary>The vCPUs, indexed by <see cref="Vcpu.Id"/>.</summary>
    public IReadOnlyList<Vcpu> Vcpus { get; }

    /// <summary>Under <see cref="SchedulingPolicy.Asymmetric"/>, vCPUs 0..ReservedVcpus-1 are the server cores; 0 otherwise.</summary>
    public int ReservedVcpus => _settings.ReservedVcpus;

    /// <summary>Finds the vCPU dispatcher configured under <paramref name="dispatcherId"/>, creating it if needed.</summary>
    /// <param name="system">The actor system whose configuration holds the dispatcher.</param>
    /// <param name="dispatcherId">The dispatcher's HOCON path, as given to <c>Props.WithDispatcher</c>.</param>
    /// <exception cref="ArgumentException">The section exists but is not a vCPU dispatcher.</exception>
    public static VcpuDispatcher Lookup(ActorSystem system, string dispatcherId) =>
        system.Dispatchers.Lookup(dispatcherId) as VcpuDispatcher
        ?? throw new ArgumentException($"Dispatcher '{dispatcherId}' is not a {nameof(VcpuDispatcher)}.", nameof(dispatcherId));

    /// <summary>
    /// Records the placement of the actor that will be created at <paramref name="actorPath"/> (the path without
    /// address, e.g. <c>/user/server</c>). Takes effect when that actor is created on this dispatcher; an actor that
    /// already exists keeps its vCPU. Under <c>symmetric</c> the vCPU is only where the actor is counted before it first runs.
    /// </summary>
    /// <param name="actorPath">The actor's path without address, e.g. <c>/user/server</c> or <c>/user/parent/child</c>.</param>
    /// <param name="role">Server or client (matters under <c>asymmetric</c>).</param>
    /// <param name="vcpu">The vCPU to start on, or null for round-robin within the role's vCPUs.</param>
    /// <exception cref="ArgumentException">The vCPU does not exist, or the role may not use it under this policy.</exception>
    public void Place(string actorPath, VcpuRole role, int? vcpu = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(actorPath);
        var placement = new VcpuPlacement(role, vcpu);
        _rules.Validate(actorPath, placement);
        _placements[actorPath] = placement;
    }

    /// <summary>Same as <see cref="Place(string, VcpuRole, int?)"/> for an <see cref="ActorPath"/>.</summary>
    /// <param name="actorPath">The actor's path; its address part is ignored.</param>
    /// <param name="role">Server or client.</param>
    /// <param name="vcpu">The vCPU to start on, or null for round-robin within the role's vCPUs.</param>
    public void Place(ActorPath actorPath, VcpuRole role, int? vcpu = null) =>
        Place(actorPath.ToStringWithoutAddress(), role, vcpu);

    /// <summary>
    /// The vCPU <paramref name="actor"/> is on now: the vCPU whose queue its runs go to (affinity policies), or the
    /// one that ran it last (<c>symmetric</c>). Null if the actor is not a live actor of this dispatcher.
    /// </summary>
    /// <param name="actor">A local actor reference.</param>
    public int? VcpuOf(IActorRef actor) =>
        actor is ActorRefWithCell { Underlying: ActorCell { Mailbox: { } mailbox } } && SlotOf(mailbox) is { } slot
            ? slot.Current
            : null;

    /// <summary>The vCPU of every live actor of this dispatcher, keyed by actor path without address (for /proc).</summary>
    internal Dictionary<string, int> VcpusByPath()
    {
        var byPath = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, slot) in _slots) byPath[slot.Path] = slot.Current;
        return byPath;
    }

    /// <summary>The HOCON name of <see cref="Policy"/> (<c>symmetric</c>, <c>affinity-static</c>, …).</summary>
    public string PolicyName => SchedulingPolicyNames.Format(Policy);

    /// <summary>A copy of every vCPU's counters, indexed by vCPU id.</summary>
    public IReadOnlyList<VcpuSnapshot> Snapshot()
    {
        var now = Stopwatch.GetTimestamp();
        return _vcpus.Select(v => v.Snapshot(now)).ToArray();
    }

    /// <inheritdoc/>
    public override void Attach(ActorCell cell)
    {
        // Before base.Attach: it schedules the first run, and ExecuteTask must find the slot.
        var path = cell.Self.Path.ToStringWithoutAddress();
        var placement = _placements.TryGetValue(path, out var p) ? p : new VcpuPlacement(VcpuRole.Client);
        var mailbox = cell.Mailbox ?? throw new InvalidOperationException($"{path} is attached without a mailbox.");
        var slot = new ActorSlot(_vcpus[_rules.Assign(placement)], path);
        _slots.AddOrUpdate(mailbox, slot);
        if (mailbox.MessageQueue is RendezvousQueue queue) queue.VcpuSlot = slot;
        base.Attach(cell);
    }

    /// <inheritdoc/>
    public override void Detach(ActorCell cell)
    {
        var mailbox = cell.Mailbox;
        // After base.Detach: it closes the mailbox, so a run scheduled once the slot is gone has nothing to do.
        base.Detach(cell);
        if (mailbox is null) return;
        _slots.Remove(mailbox);
        if (mailbox.MessageQueue is RendezvousQueue queue) queue.VcpuSlot = null;
    }

    /// <inheritdoc/>
    public override void Dispatch(ActorCell cell, Envelope envelope)
    {
        // Counted on the target's vCPU before enqueueing, so the count is visible before the message can be handled.
        if (cell.Mailbox is { } mailbox && SlotOf(mailbox) is { } slot) slot.Vcpu.CountMessage();
        base.Dispatch(cell, envelope);
    }

    /// <inheritdoc/>
    protected override void ExecuteTask(IRunnable run)
    {
        if (run is Mailbox mailbox && SlotOf(mailbox) is { } slot)
        {
            // A handler's hand-over (DeferredWakes) to an actor of this very vCPU: this thread runs it next, as the
            // vCPU's queue would have, counted as a run. Under a policy that moves actors, a partner on another vCPU
            // comes along and moves here (a wakee placed beside its waker, as Linux's wake-affine rule does): stealing
            // would otherwise split a ping-pong pair across vCPUs for good, each hop then a cross-thread wake-up.
            // Elsewhere an actor of another vCPU waits in its queue as usual.
            var home = slot.Vcpu;
            if (CapturedRuns.TryCaptureOnVcpu(run, home, _movesActors ? _vcpus : null) is { } here)
            {
                if (here != home)
                {
                    slot.Vcpu = here;
                    here.CountHandOverMigration();
                }
                here.CountHandOverRun();
                return;
            }
            _queues.Enqueue(new WorkItem(mailbox, slot));
            return;
        }
        // Not an actor's run (a task, or a closed mailbox's last no-op run): the thread pool, where blocking stands
        // in front of no actor (docs/smp.md, "When a handler blocks").
        ThreadPool.UnsafeQueueUserWorkItem(new PooledTask(run, this), preferLocal: false);
    }

    // An endpoint actor's queue carries its slot (Attach); other actors' slots are in the weak table.
    private ActorSlot? SlotOf(Mailbox mailbox) =>
        mailbox.MessageQueue is RendezvousQueue { VcpuSlot: { } slot } ? slot
        : _slots.TryGetValue(mailbox, out var found) ? found : null;

    // RunPreemption's signal: Akka ends a run after its current message while the deadline has a value (0 is always
    // past on Akka's clock). Only the tick writes it; a run that reads a stale value ends one message sooner or later.
    private void Preempt(bool on) => ThroughputDeadlineTime = on ? 0 : null;

    /// <summary>
    /// Akka calls this once the dispatcher has had no actors for shutdown-timeout. The vCPUs stay: they model the
    /// machine's CPUs, keep their pins and counters, and cost nothing parked; they stop with the actor system.
    /// </summary>
    protected override void Shutdown()
    {
    }

    internal string SystemName => Configurator.Prerequisites.Settings.System.Name;

    internal void EnsureStarted()
    {
        lock (_lifecycle)
        {
            if (_workers is not null || _stopped) return;
            var physical = _settings.PhysicalCpus;
            _workers = _vcpus.Select(v => new VcpuWorker(v, physical[v.Id % physical.Length], _queues, this)).ToArray();
            foreach (var worker in _workers) worker.Start();
            _preemption = new RunPreemption(_vcpus, _queues, _settings.RunLength, Preempt, $"{Id}-tick");
            ReportPinning(_workers);
            VcpuMetrics.Register(this);
            Configurator.Prerequisites.Settings.System.WhenTerminated.ContinueWith(
                _ => Stop(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    internal void ReportRunFailure(Exception e) => ReportFailure(e);

    private void Stop()
    {
        lock (_lifecycle)
        {
            _stopped = true;
            VcpuMetrics.Unregister(this);
            _preemption?.Dispose();
            foreach (var worker in _workers ?? []) worker.Stop();
            // After the tick's thread has ended: it is the only reader of the clocks.
            foreach (var vcpu in _vcpus) vcpu.HostWait?.Dispose();
        }
    }

    // One log line per dispatcher, whatever happened: the fallback to unpinned threads is never silent.
    private void ReportPinning(VcpuWorker[] workers)
    {
        var physical = _settings.PhysicalCpus;
        if (!CpuAffinity.IsSupported)
        {
            EventStream.Publish(new Info(Id, typeof(VcpuDispatcher),
                $"{_vcpus.Length} vCPUs run unpinned: CPU affinity is only implemented on Linux."));
            return;
        }
        foreach (var error in workers.Select(w => w.HostWaitError).OfType<string>().Distinct())
        {
            EventStream.Publish(new Warning(Id, typeof(VcpuDispatcher),
                $"the host's CPU wait of the vCPU threads cannot be read ({error}); preemption counts wall time."));
        }
        var failed = workers.Select((w, i) => (w.PinError, Vcpu: i)).Where(f => f.PinError != 0).ToArray();
        if (failed.Length == 0) return;
        var detail = string.Join(", ", failed.Select(f => $"vCPU {f.Vcpu} -> CPU {physical[f.Vcpu % physical.Length]} (errno {f.PinError})"));
        EventStream.Publish(new Warning(Id, typeof(VcpuDispatcher),
            $"sched_setaffinity failed for {detail}; those vCPUs run unpinned (PhysicalCpu = -1)."));
    }
}
