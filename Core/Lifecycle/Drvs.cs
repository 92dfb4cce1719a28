using System.Collections.Concurrent;

namespace M3Actors;

/// <summary>
/// The node's DRVS (rulebook §1, §7): initialised once with the node id and limits, it starts and ends VMs. Ending
/// the DRVS ends all its VMs; it may then be initialised again.
/// </summary>
public sealed class Drvs : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<int, Vm> _vms = new();
    private DrvsOptions? _options;

    /// <summary>Creates and initialises a DRVS (the usual entry point).</summary>
    public static Drvs Start(DrvsOptions? options = null)
    {
        var drvs = new Drvs();
        drvs.Init(options ?? new DrvsOptions());
        return drvs;
    }

    /// <summary>True between <see cref="Init"/> and <see cref="EndAsync"/>.</summary>
    public bool IsInitialised => Volatile.Read(ref _options) is not null;

    /// <summary>The options in force; throws DrvsInit before <see cref="Init"/>.</summary>
    public DrvsOptions Options => Volatile.Read(ref _options) ?? throw new IpcException(IpcStatus.DrvsInit, "the DRVS is not initialised");

    /// <summary>This node's id.</summary>
    public int NodeId => Options.NodeId;

    /// <summary>The running VMs.</summary>
    public IReadOnlyCollection<Vm> Vms => _vms.Values.OrderBy(v => v.Id).ToList();

    /// <summary>Initialises the DRVS. Throws DrvsBusy if already initialised, BadRange for limits out of range.</summary>
    public void Init(DrvsOptions options)
    {
        options.Validate();
        lock (_gate)
        {
            if (_options is not null) throw new IpcException(IpcStatus.DrvsBusy, $"the DRVS of node {_options.NodeId} is already initialised");
            _options = options;
        }
    }

    /// <summary>Starts a VM. Throws DrvsInit, BadRange, BadNodeId, or BadVmId when the id is in use.</summary>
    public Vm StartVm(VmOptions options)
    {
        lock (_gate)
        {
            var drvs = Options;
            options.Validate(drvs);
            if (_vms.ContainsKey(options.Id)) throw new IpcException(IpcStatus.BadVmId, $"VM id {options.Id} is already running");
            var vm = new Vm(this, options);
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

    /// <summary>Ends every VM and returns the DRVS to the uninitialised state. Throws DrvsInit if not initialised.</summary>
    public async Task EndAsync()
    {
        _ = Options;
        await Task.WhenAll(_vms.Values.Select(v => v.EndAsync())).ConfigureAwait(false);
        lock (_gate) _options = null;
    }

    /// <summary>A point-in-time view of the DRVS and all its VMs (the seed's /proc/drvs).</summary>
    public DrvsSnapshot Snapshot() => new(NodeId, Options, Vms.Select(v => v.Snapshot()).ToList());

    /// <summary>Ends the DRVS if it is still initialised.</summary>
    public async ValueTask DisposeAsync()
    {
        if (IsInitialised) await EndAsync().ConfigureAwait(false);
    }

    internal void Forget(Vm vm) => _vms.TryRemove(new KeyValuePair<int, Vm>(vm.Id, vm));
}
