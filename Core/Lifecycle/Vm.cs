using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using M3Actors.Kernel;

namespace M3Actors;

/// <summary>
/// A VM: a container of endpoints and its own ActorSystem — that boundary is the isolation. Endpoints are resolved
/// only inside their VM, so an endpoint of another VM cannot be named at all. Ending the VM unbinds every endpoint
/// (releasing blocked calls with errors), cancels <see cref="Ending"/> for its tasks and terminates its ActorSystem.
/// </summary>
public sealed class Vm : IExtension
{
    // The fallback under the DRVS's and the VM's own HOCON. Actors run on the .NET thread pool, as with Akka's default
    // executor: a task client's continuation and the actor it calls then share pool workers (a dedicated-thread
    // executor made that hand-off 4x slower). Thread endpoints blocked on pool threads (ASP.NET handlers, Task.Run)
    // cannot starve the actors: while any is, the executor runs them on standby threads (Actors/VmExecutor.cs). The
    // rendezvous mailbox's type comes from the reference configuration.
    private const string BaseHocon = """
        akka.actor.mailbox.requirements {
          "M3Actors.Actors.IRendezvousSemantics, M3Actors.Core" = m3actors.rendezvous-mailbox
        }
        akka.actor.default-dispatcher.executor = "M3Actors.Actors.VmExecutorConfigurator, M3Actors.Core"
        akka.actor.internal-dispatcher.executor = "M3Actors.Actors.VmExecutorConfigurator, M3Actors.Core"
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """;

    private readonly CancellationTokenSource _ending = new();
    private readonly Drvs _drvs;
    private int _warnedPoolBlocking;

    // kernel: how to build the VM's kernel (the transport's over a shared region); null for a private one.
    internal Vm(Drvs drvs, VmOptions options, Func<VmOptions, IpcKernel>? kernel = null)
    {
        _drvs = drvs;
        Options = options;
        Kernel = kernel?.Invoke(options) ?? new IpcKernel(options.SystemSlots, options.UserSlots, options.PrivilegesOf,
            drvs.Options.MaxCopyBytes);
        var config = ConfigurationFactory.ParseString(BaseHocon).WithFallback(M3ActorsConfig.RendezvousMailbox);
        foreach (var layer in new[] { drvs.Options.ActorConfig, options.ActorConfig })
            if (!layer.IsEmpty) config = layer.WithFallback(config);
        config = Smp.VmVcpus.Configure(config, options);      // vCPUs: Core/Smp/VmVcpus.cs
        var trace = Tracing.TraceOptions.Resolve(options.Trace, config);    // before the ActorSystem: may throw
        System = ActorSystem.Create($"vm{options.Id}-{options.Name}", config);
        System.RegisterExtension(new VmExtensionId(this));
        Vcpus = Smp.VmVcpus.Start(System, options);
        Trace = new Tracing.VmTrace(this, Kernel, trace);
        VmMetrics.Register(this);       // last: a VM whose start failed is never measured
    }

    /// <summary>The vCPUs the VM's endpoint actors run on, or null when they use Akka's default dispatcher.</summary>
    public Smp.VcpuDispatcher? Vcpus { get; }

    internal IpcKernel Kernel { get; }

    /// <summary>The VM's message trace: switch it on and off, read it, render it (docs/trace.md).</summary>
    public Tracing.VmTrace Trace { get; }

    /// <summary>The VM's parameters.</summary>
    public VmOptions Options { get; }

    /// <summary>The VM id.</summary>
    public int Id => Options.Id;

    /// <summary>The VM name.</summary>
    public string Name => Options.Name;

    /// <summary>The nodes the VM spans.</summary>
    public IReadOnlySet<int> Nodes => Options.Nodes.Count > 0 ? Options.Nodes : new HashSet<int> { _drvs.NodeId };

    /// <summary>This VM's ActorSystem: create <see cref="EndpointActor"/>s in it.</summary>
    public ActorSystem System { get; }

    /// <summary>True until the VM ends.</summary>
    public bool IsRunning => Kernel.IsRunning;

    /// <summary>Cancelled when the VM ends, so tasks started with <see cref="RunTask"/> can stop.</summary>
    public CancellationToken Ending => _ending.Token;

    /// <summary>The VM that owns <paramref name="system"/>; throws if the system is not a VM's.</summary>
    public static Vm Of(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.GetExtension<Vm>() ?? throw new InvalidOperationException($"ActorSystem {system.Name} is not an M3Actors VM");
    }

    /// <summary>
    /// Binds an endpoint for a thread or task: <paramref name="slot"/> (a system slot for a well-known server), or a
    /// free user slot. Throws <see cref="IpcException"/>: SlotUsed, Range, Busy (table full), VmNotRunning.
    /// </summary>
    public EndpointHandle Bind(int? slot = null, string? owner = null)
    {
        var port = new Threads.ThreadPort { Kernel = Kernel };
        port.Proc = Kernel.Bind(slot, port, OwnerKind.Thread, owner ?? $"thread {Environment.CurrentManagedThreadId}");
        port.RecordWait = Kernel.Sharing?.RecordWait(port.Proc.Slot);
        return new EndpointHandle(this, port);
    }

    /// <summary>
    /// Runs <paramref name="body"/> as a task owning a fresh endpoint, unbound implicitly when the task finishes (or
    /// fails). The token is <see cref="Ending"/>. The body runs on the thread pool: use the <c>…Async</c> calls there.
    /// </summary>
    public Task RunTask(Func<EndpointHandle, CancellationToken, Task> body, int? slot = null, string? owner = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var handle = Bind(slot, owner ?? "task");
        return Task.Run(async () =>
        {
            using (handle) await body(handle, Ending).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a dedicated thread owning a fresh endpoint, unbound implicitly when the body
    /// returns or throws; the returned task ends with it and carries its exception. Use this, not
    /// <see cref="RunTask"/>, for code that makes blocking calls: a blocked pool thread is one the actors' dispatcher
    /// cannot use.
    /// </summary>
    public Task StartThread(Action<EndpointHandle, CancellationToken> body, int? slot = null, string? owner = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var handle = Bind(slot, owner ?? "thread");
        return Task.Factory.StartNew(() =>
        {
            using (handle) body(handle, Ending);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Completes with the endpoint once <paramref name="slot"/> is bound — e.g. when a server actor has started.
    /// Fails with a <see cref="TimeoutException"/> naming the slot after <paramref name="timeout"/> (infinite when it
    /// is <see cref="Timeout.InfiniteTimeSpan"/> or too large for the platform), with <see cref="IpcException"/>
    /// VmNotRunning if the VM ends first. Throws <see cref="ArgumentOutOfRangeException"/> at once for a slot the VM
    /// does not have or a negative timeout.
    /// </summary>
    public Task<Endpoint> WhenBoundAsync(int slot, TimeSpan timeout)
    {
        timeout = IpcTimeout.Check(timeout);
        var bound = Kernel.WhenBound(slot);
        return bound.IsCompleted || timeout == Timeout.InfiniteTimeSpan ? bound : WithTimeoutAsync(bound, slot, timeout);
    }

    /// <summary>
    /// Creates an actor in this VM. With vCPUs it runs on them unless <paramref name="props"/> names a dispatcher. An
    /// <see cref="EndpointActor"/> gets the rendezvous mailbox and binds its endpoint when it starts; the slot is
    /// known only to its constructor, so this call waits for that bind and throws its <see cref="IpcException"/>
    /// (SlotUsed, Range, Busy, VmNotRunning) — the actor then stops without logging a failure. On a vCPU (from an
    /// actor running there) it does not wait, since the new actor may need that very vCPU: a failed bind then fails
    /// the actor's start, which Akka logs. Throws <see cref="IpcException"/> VmNotRunning after the VM ended.
    /// </summary>
    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (!IsRunning) throw new IpcException(IpcStatus.VmNotRunning, $"cannot create an actor: {this} has ended");
        props = Smp.VmVcpus.Route(props, Vcpus);
        if (!typeof(EndpointActor).IsAssignableFrom(props.Type)) return CreateActor(props, name);
        var bound = Smp.Vcpu.Current is null
            ? new TaskCompletionSource<Endpoint>(TaskCreationOptions.RunContinuationsAsynchronously)
            : null;
        var actor = CreateActor(Actors.BindingProps.Of(props, bound), name);
        if (bound is null) return actor;
        if (Task.WaitAny(bound.Task, System.WhenTerminated) == 1 && !bound.Task.IsCompleted)
            throw new IpcException(IpcStatus.VmNotRunning, $"{this}: its ActorSystem ended before {actor.Path} started");
        bound.Task.GetAwaiter().GetResult();        // throws the bind's IpcException
        return actor;
    }

    /// <summary>
    /// Creates an actor on a chosen vCPU and/or in a role (servers go to the reserved vCPUs under asymmetric);
    /// <paramref name="vcpu"/> null means round-robin in the role's range. Throws <see cref="IpcException"/>
    /// BadRange for a vCPU that does not exist or that the role may not use, or a vCPU on a VM without vCPUs.
    /// </summary>
    public IActorRef ActorOf(Props props, string name, Smp.VcpuRole role, int? vcpu = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        ArgumentNullException.ThrowIfNull(name);
        Smp.VmVcpus.Place(Vcpus, name, role, vcpu);
        return ActorOf(props, name);
    }

    // The VM may end between the check in ActorOf and Akka's: its "cannot create child while terminating" is then ours.
    private IActorRef CreateActor(Props props, string? name)
    {
        try
        {
            return System.ActorOf(props, name);
        }
        catch (InvalidOperationException) when (!IsRunning || System.WhenTerminated.IsCompleted)
        {
            throw new IpcException(IpcStatus.VmNotRunning, $"cannot create an actor: {this} has ended");
        }
    }

    /// <summary>A point-in-time view of the VM's endpoints, counters and vCPUs (the seed's /proc/vm).</summary>
    public VmSnapshot Snapshot() => Smp.VmVcpus.Annotate(Kernel.Snapshot(Id, Name, Nodes, IsRunning), Vcpus);

    /// <summary>
    /// vm_end: unbinds every endpoint (calls blocked in the VM return VmNotRunning, as do later calls), cancels
    /// <see cref="Ending"/>, terminates the ActorSystem. Ending an ended VM does nothing more.
    /// </summary>
    public async Task EndAsync()
    {
        Kernel.Shutdown();
        Kernel.Sharing?.Dispose();      // this process leaves a VM shared with others; they go on
        Trace.Close();
        VmMetrics.Unregister(this);
        await _ending.CancelAsync().ConfigureAwait(false);
        await System.Terminate().ConfigureAwait(false);
        _drvs.Forget(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"VM {Id} '{Name}'";

    // A blocked pool thread is one the rest of the process (and, with a pool dispatcher, the VM's actors) cannot use:
    // say so once per VM, through the VM's Akka log.
    internal void WarnBlockingOnPool(EndpointHandle handle, IpcCalls call)
    {
        if (Interlocked.Exchange(ref _warnedPoolBlocking, 1) != 0) return;
        System.Log.Warning(
            "{0}: endpoint {1} blocks in {2} on a thread-pool thread; blocking calls hold a pool thread for as long as " +
            "they wait. Make them from a dedicated thread (vm.StartThread) or use the …Async forms. Logged once per VM.",
            this, handle.Endpoint, call);
    }

    private async Task<Endpoint> WithTimeoutAsync(Task<Endpoint> bound, int slot, TimeSpan timeout)
    {
        try
        {
            return await bound.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"slot {slot} of {this} was not bound within {timeout}", e);
        }
    }

    private sealed class VmExtensionId(Vm vm) : ExtensionIdProvider<Vm>
    {
        public override Vm CreateExtension(ExtendedActorSystem system) => vm;
    }
}
