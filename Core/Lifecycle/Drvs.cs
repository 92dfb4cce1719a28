using System.Collections.Concurrent;

namespace M3Actors;

/// <summary>
/// The node's DRVS (rulebook §1, §7): initialised once with the node id and limits, it starts and ends VMs. Ending
/// the DRVS ends all its VMs; it may then be initialised again. Each <see cref="Drvs"/> object is one node's DRVS and
/// shares nothing with another: a process may host several (one per simulated node, as the tests do), and VM 1 of one
/// is unrelated to VM 1 of another — their endpoints cannot name each other. Inside one DRVS, VM ids and VM names are
/// unique.
/// </summary>
public sealed class Drvs : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<int, Vm> _vms = new();
    private DrvsOptions? _options;
    private TaskCompletionSource? _end;     // set when drvs_end begins, under _gate; StartVm then fails with DrvsInit

    /// <summary>Creates and initialises a DRVS (the usual entry point).</summary>
    public static Drvs Start(DrvsOptions? options = null)
    {
        var drvs = new Drvs();
        drvs.Init(options ?? new DrvsOptions());
        return drvs;
    }

    /// <summary>True from <see cref="Init"/> until <see cref="EndAsync"/> has finished.</summary>
    public bool IsInitialised => Volatile.Read(ref _options) is not null;

    /// <summary>The options in force; throws DrvsInit before <see cref="Init"/>.</summary>
    public DrvsOptions Options => Volatile.Read(ref _options) ?? throw new IpcException(IpcStatus.DrvsInit, "the DRVS is not initialised");

    /// <summary>This node's id.</summary>
    public int NodeId => Options.NodeId;

    /// <summary>The running VMs.</summary>
    public IReadOnlyCollection<Vm> Vms => _vms.Values.OrderBy(v => v.Id).ToList();

    /// <summary>
    /// Initialises the DRVS. Throws DrvsBusy if already initialised (or still ending), BadRange naming the setting for
    /// limits out of range, <see cref="ArgumentNullException"/> for null options.
    /// </summary>
    public void Init(DrvsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        lock (_gate)
        {
            if (_options is not null)
                throw new IpcException(IpcStatus.DrvsBusy, $"the DRVS of node {_options.NodeId} is already initialised" +
                    (_end is null ? "" : " and still ending"));
            _options = options;
        }
    }

    /// <summary>
    /// Starts a VM. Throws DrvsInit (not initialised, or <see cref="EndAsync"/> has begun), BadRange (options out of
    /// range, or a name another running VM has), BadNodeId, BadVmId when the id is in use, and
    /// <see cref="ArgumentNullException"/> for null options.
    /// </summary>
    public Vm StartVm(VmOptions options) => StartVmWith(options, kernel: null);

    /// <summary>
    /// <see cref="StartVm"/> with the VM's kernel built by <paramref name="kernel"/> (given the validated
    /// options and this DRVS's max copy size) — how the transport starts a VM on a region shared between processes.
    /// </summary>
    internal Vm StartVmWith(VmOptions options, Func<VmOptions, int, Kernel.IpcKernel>? kernel)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Held while the VM is built, so drvs_end either sees the VM registered or makes this start fail (§12.5).
        lock (_gate)
        {
            if (_end is not null) throw new IpcException(IpcStatus.DrvsInit, "the DRVS is ending; no VM may start");
            var drvs = Options;
            options.Validate(drvs);
            if (_vms.ContainsKey(options.Id)) throw new IpcException(IpcStatus.BadVmId, $"VM id {options.Id} is already running");
            if (_vms.Values.FirstOrDefault(v => v.Name == options.Name) is { } twin)
                throw new IpcException(IpcStatus.BadRange,
                    $"VM name '{options.Name}' is already used by running VM {twin.Id}");
            var vm = new Vm(this, options, kernel is null ? null : o => kernel(o, drvs.MaxCopyBytes));
            _vms[options.Id] = vm;
            return vm;
        }
    }

    /// <summary>The running VM <paramref name="id"/>; throws BadVmId if there is none.</summary>
    public Vm GetVm(int id)
    {
        _ = Options;
        return _vms.TryGetValue(id, out var vm) ? vm : throw new IpcException(IpcStatus.BadVmId, $"no VM {id} is running");
    }

    /// <summary>Ends VM <paramref name="id"/>; throws BadVmId if there is none.</summary>
    public Task EndVmAsync(int id) => GetVm(id).EndAsync();

    /// <summary>
    /// drvs_end: ends every VM — including one whose start raced with this call — and returns the DRVS to the
    /// uninitialised state. From the moment it begins, <see cref="StartVm"/> fails with DrvsInit. Idempotent: a call
    /// while ending returns the same task, a call on an uninitialised DRVS does nothing.
    /// </summary>
    public Task EndAsync()
    {
        TaskCompletionSource end;
        List<Vm> vms;
        lock (_gate)
        {
            if (_end is { } ending) return ending.Task;
            if (_options is null) return Task.CompletedTask;
            _end = end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            vms = [.. _vms.Values];
        }
        _ = EndVmsAsync(vms, end);      // never throws: its outcome is end's
        return end.Task;
    }

    /// <summary>A point-in-time view of the DRVS and all its VMs (the seed's /proc/drvs).</summary>
    public DrvsSnapshot Snapshot() => new(NodeId, Options, Vms.Select(v => v.Snapshot()).ToList());

    /// <summary>Ends the DRVS (<see cref="EndAsync"/>); does nothing if it is not initialised.</summary>
    public async ValueTask DisposeAsync() => await EndAsync().ConfigureAwait(false);

    internal void Forget(Vm vm) => _vms.TryRemove(new KeyValuePair<int, Vm>(vm.Id, vm));

    // Runs outside _gate (ending a VM wakes endpoint owners and cancels its Ending token); hands its outcome to end.
    private async Task EndVmsAsync(List<Vm> vms, TaskCompletionSource end)
    {
        Exception? failure = null;
        try
        {
            await Task.WhenAll(vms.Select(v => v.EndAsync())).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }
        lock (_gate)
        {
            _options = null;
            _end = null;
        }
        if (failure is null) end.SetResult();
        else end.SetException(failure);
    }
}
