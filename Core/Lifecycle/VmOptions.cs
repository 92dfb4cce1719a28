using Akka.Configuration;

namespace M3Actors;

/// <summary>A VM's parameters (rulebook §1): id, name, nodes, slots, privileges and its ActorSystem's HOCON.</summary>
public sealed record VmOptions
{
    /// <summary>The longest VM name (Minix's process names are 15 characters).</summary>
    public const int MaxNameLength = 15;

    /// <summary>The VM id, unique on the DRVS (0..MaxVms-1).</summary>
    public required int Id { get; init; }
    /// <summary>The VM name: 1 to 15 letters, digits, '-' or '_', unique among the DRVS's running VMs.</summary>
    public required string Name { get; init; }
    /// <summary>Nodes the VM spans; empty means just this node. Must include this node.</summary>
    public IReadOnlySet<int> Nodes { get; init; } = new HashSet<int>();
    /// <summary>Slots for well-known servers (generation 0, the same endpoint at every bind).</summary>
    public int SystemSlots { get; init; } = 16;
    /// <summary>Slots for user endpoints (a new generation at every bind).</summary>
    public int UserSlots { get; init; } = 240;
    /// <summary>Privileges of every slot not listed in <see cref="SlotPrivileges"/>.</summary>
    public Privileges DefaultPrivileges { get; init; } = Privileges.Full;
    /// <summary>Privileges per slot, overriding the default.</summary>
    public IReadOnlyDictionary<int, Privileges> SlotPrivileges { get; init; } = new Dictionary<int, Privileges>();
    /// <summary>
    /// Extra HOCON for this VM's ActorSystem (dispatchers, vCPUs, your own keys); falls back to the DRVS's. A key
    /// under <c>m3actors</c> that the reference configuration lacks fails the VM's start (BadRange).
    /// </summary>
    public Config ActorConfig { get; init; } = Config.Empty;

    /// <summary>
    /// Run the VM's endpoint actors on vCPUs (see docs/smp.md); null: the HOCON section <c>m3actors.vcpus</c> in
    /// <see cref="ActorConfig"/> (or the DRVS's) decides, and without one actors use Akka's default dispatcher.
    /// </summary>
    public Smp.VcpuOptions? Vcpus { get; init; }

    /// <summary>
    /// The VM's message trace (docs/trace.md); null: the HOCON section <c>m3actors.trace</c> decides (off by default).
    /// Switch it at run time with <see cref="Vm.Trace"/>.
    /// </summary>
    public Tracing.TraceOptions? Trace { get; init; }

    internal Privileges PrivilegesOf(int slot) => SlotPrivileges.TryGetValue(slot, out var p) ? p : DefaultPrivileges;

    // Every message names the property and, where the limit comes from the DRVS, the HOCON key that sets it.
    internal void Validate(DrvsOptions drvs)
    {
        ArgumentNullException.ThrowIfNull(Name, "VmOptions.Name");
        ArgumentNullException.ThrowIfNull(Nodes, "VmOptions.Nodes");
        ArgumentNullException.ThrowIfNull(DefaultPrivileges, "VmOptions.DefaultPrivileges");
        ArgumentNullException.ThrowIfNull(SlotPrivileges, "VmOptions.SlotPrivileges");
        ArgumentNullException.ThrowIfNull(ActorConfig, "VmOptions.ActorConfig");
        M3ActorsConfig.CheckKeys(ActorConfig);
        if (Id < 0 || Id >= drvs.MaxVms)
            throw new IpcException(IpcStatus.BadRange,
                $"VmOptions.Id = {Id} is outside 0..{drvs.MaxVms - 1} (m3actors.drvs.max-vms - 1)");
        if (Name.Length is 0 or > MaxNameLength || !Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new IpcException(IpcStatus.BadRange,
                $"VmOptions.Name = '{Name}' must be 1 to {MaxNameLength} letters, digits, '-' or '_'");
        if (SystemSlots < 0 || UserSlots < 0 || SystemSlots + UserSlots is < 1 || SystemSlots + UserSlots > drvs.MaxEndpointsPerVm)
            throw new IpcException(IpcStatus.BadRange,
                $"VmOptions.SystemSlots = {SystemSlots} + VmOptions.UserSlots = {UserSlots} must total " +
                $"1..{drvs.MaxEndpointsPerVm} (m3actors.drvs.max-endpoints-per-vm), neither negative");
        foreach (var node in Nodes)
            if (node < 0 || node >= drvs.MaxNodes)
                throw new IpcException(IpcStatus.BadNodeId,
                    $"VmOptions.Nodes: node {node} is outside 0..{drvs.MaxNodes - 1} (m3actors.drvs.max-nodes - 1)");
        if (Nodes.Count > 0 && !Nodes.Contains(drvs.NodeId))
            throw new IpcException(IpcStatus.BadNodeId,
                $"VmOptions.Nodes = [{string.Join(",", Nodes)}] do not include this node {drvs.NodeId}");
        Vcpus?.Validate();
        Trace?.Validate();
        foreach (var (slot, privileges) in SlotPrivileges)
        {
            if (slot < 0 || slot >= SystemSlots + UserSlots)
                throw new IpcException(IpcStatus.Range,
                    $"VmOptions.SlotPrivileges: slot {slot} does not exist (the VM has slots 0..{SystemSlots + UserSlots - 1})");
            ArgumentNullException.ThrowIfNull(privileges, $"VmOptions.SlotPrivileges[{slot}]");
        }
    }
}
