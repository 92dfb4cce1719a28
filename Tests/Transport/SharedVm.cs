using M3Actors.Transport;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// A VM shared between this test process and TransportHost children: this process attaches with the public
/// <see cref="TransportExtensions.AttachVm"/>, each child with <c>vm attach</c>. Disposing kills the children and ends
/// this process's part of the VM.
/// </summary>
public sealed class SharedVm : IAsyncDisposable
{
    /// <summary>How long any wait of a test may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>System slots of the test VMs (slots 16 and up are user slots).</summary>
    public const int SystemSlots = 16;

    /// <summary>Processes that may attach to a test VM.</summary>
    public const int MaxProcesses = 8;

    /// <summary>User slots of the test VMs.</summary>
    public const int UserSlots = 48;

    private readonly List<HostProcess> _children = [];
    private readonly Drvs _drvs = Drvs.Start();

    private SharedVm(ArenaDirectory directory, int vmId, string name, IReadOnlyDictionary<int, Privileges>? privileges)
    {
        Directory = directory;
        VmId = vmId;
        Name = name;
        var options = Options(directory, vmId, name);
        if (privileges is not null) options = options with { Vm = options.Vm with { SlotPrivileges = privileges } };
        Vm = _drvs.AttachVm(options);
    }

    /// <summary>The arena directory.</summary>
    public ArenaDirectory Directory { get; }

    /// <summary>The VM id.</summary>
    public int VmId { get; }

    /// <summary>The VM name.</summary>
    public string Name { get; }

    /// <summary>This process's part of the VM.</summary>
    public Vm Vm { get; }

    /// <summary>
    /// Attaches this process to VM <paramref name="vmId"/> in <paramref name="directory"/>, with
    /// <paramref name="privileges"/> for its slots here (every slot has full privileges otherwise).
    /// </summary>
    public static SharedVm Attach(ArenaDirectory directory, int vmId = 1, string name = "shared",
        IReadOnlyDictionary<int, Privileges>? privileges = null) => new(directory, vmId, name, privileges);

    /// <summary>The attach options of VM <paramref name="vmId"/> with the test's slot counts.</summary>
    public static SharedVmOptions Options(ArenaDirectory directory, int vmId, string name, int userSlots = UserSlots) =>
        new()
        {
            Directory = directory.Path, DrvsId = 1, MaxProcesses = MaxProcesses,
            AttachTimeout = TimeSpan.FromSeconds(10),
            Vm = new VmOptions { Id = vmId, Name = name, SystemSlots = SystemSlots, UserSlots = userSlots },
        };

    /// <summary>Starts a child attached to the same VM (or to <paramref name="vmId"/> when given).</summary>
    public async Task<HostProcess> ChildAsync(int? vmId = null, string? name = null)
    {
        var child = HostProcess.Start();
        _children.Add(child);
        await child.ExpectAsync(
            $"vm attach {Directory.Path} 1 {vmId ?? VmId} {name ?? Name} {SystemSlots} {UserSlots} {MaxProcesses}",
            "vm attached");
        return child;
    }

    /// <summary>The endpoint in a child's reply's last word (<c>vm bound 16</c>, <c>vm serving 3</c>).</summary>
    public static Endpoint EndpointIn(string[] reply) => new(int.Parse(reply[^1]));

    /// <summary>This process's snapshot entry of <paramref name="e"/> (any process's endpoint), or null.</summary>
    public ProcSnapshot? ProcOf(Endpoint e) => Vm.Snapshot().Procs.FirstOrDefault(p => p.Endpoint == e);

    /// <summary>Polls the snapshot until <paramref name="e"/>'s state starts with <paramref name="state"/>.</summary>
    public Task AwaitStateAsync(Endpoint e, string state) =>
        AwaitAsync(() => ProcOf(e)?.State.StartsWith(state, StringComparison.Ordinal) == true,
            () => $"{e} is '{ProcOf(e)?.State}', not '{state}'");

    /// <summary>Polls <paramref name="condition"/> every few ms until it holds; fails after <see cref="Patience"/>.</summary>
    public static async Task AwaitAsync(Func<bool> condition, Func<string> failure)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (!condition())
        {
            if (cts.IsCancellationRequested) Assert.Fail(failure());
            await Task.Delay(5);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var child in _children) child.Dispose();
        await Vm.EndAsync().WaitAsync(Patience);
        await _drvs.EndAsync().WaitAsync(Patience);
    }
}
