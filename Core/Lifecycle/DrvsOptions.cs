using Akka.Configuration;

namespace M3Actors;

/// <summary>
/// A node's DRVS parameters and global limits (rulebook §1). Read from HOCON under <c>m3actors.drvs</c>; every key's
/// default, here and in HOCON, is the one in the reference configuration (<see cref="M3ActorsConfig.Reference"/>).
/// </summary>
public sealed record DrvsOptions
{
    private const string Section = "m3actors.drvs";

    /// <summary>This node's id (<c>m3actors.drvs.node-id</c>).</summary>
    public int NodeId { get; init; } = Default("node-id");
    /// <summary>Largest number of VMs; VM ids run 0..MaxVms-1 (<c>m3actors.drvs.max-vms</c>).</summary>
    public int MaxVms { get; init; } = Default("max-vms");
    /// <summary>Largest number of nodes; node ids run 0..MaxNodes-1 (<c>m3actors.drvs.max-nodes</c>).</summary>
    public int MaxNodes { get; init; } = Default("max-nodes");
    /// <summary>Largest number of endpoint slots in one VM (<c>m3actors.drvs.max-endpoints-per-vm</c>).</summary>
    public int MaxEndpointsPerVm { get; init; } = Default("max-endpoints-per-vm");
    /// <summary>Largest vcopy length in bytes, 4 MiB by default (<c>m3actors.drvs.max-copy-bytes</c>).</summary>
    public int MaxCopyBytes { get; init; } = Default("max-copy-bytes");
    /// <summary>HOCON every VM's ActorSystem falls back to (dispatchers, logging, <c>m3actors.vcpus</c>).</summary>
    public Config ActorConfig { get; init; } = Config.Empty;

    /// <summary>
    /// Reads the options from <paramref name="config"/>, an absent key taking the reference default. Throws
    /// <see cref="IpcException"/> BadRange naming the HOCON key (e.g. <c>m3actors.drvs.max-vms</c>) for a value that is
    /// not an integer, and for a key under <c>m3actors</c> that does not exist (usually a typo; the nearest valid key
    /// is suggested). Values out of range are refused by <see cref="Drvs.Init"/>, which names the key too.
    /// </summary>
    public static DrvsOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        M3ActorsConfig.CheckKeys(config);
        return new DrvsOptions
        {
            NodeId = Read(config, "node-id"),
            MaxVms = Read(config, "max-vms"),
            MaxNodes = Read(config, "max-nodes"),
            MaxEndpointsPerVm = Read(config, "max-endpoints-per-vm"),
            MaxCopyBytes = Read(config, "max-copy-bytes"),
            ActorConfig = config,
        };
    }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ActorConfig, nameof(ActorConfig));
        M3ActorsConfig.CheckKeys(ActorConfig);      // every VM falls back to it: a typo here would reach them all
        Require(MaxNodes is >= 1 and <= 1024, $"{Section}.max-nodes = {MaxNodes} is outside 1..1024");
        Require(NodeId >= 0 && NodeId < MaxNodes,
            $"{Section}.node-id = {NodeId} is outside 0..{MaxNodes - 1} (max-nodes - 1)");
        Require(MaxVms is >= 1 and <= 4096, $"{Section}.max-vms = {MaxVms} is outside 1..4096");
        Require(MaxEndpointsPerVm is >= 1 and <= Endpoint.MaxSlotsPerVm,
            $"{Section}.max-endpoints-per-vm = {MaxEndpointsPerVm} is outside 1..{Endpoint.MaxSlotsPerVm}");
        Require(MaxCopyBytes is >= 0 and <= 1 << 30,
            $"{Section}.max-copy-bytes = {MaxCopyBytes} is outside 0..1073741824 (1 GiB)");
    }

    private static int Read(Config config, string key)
    {
        var path = $"{Section}.{key}";
        return HoconRead.Int(config, path, path, why => new IpcException(IpcStatus.BadRange, why)) ?? Default(key);
    }

    private static int Default(string key) =>
        M3ActorsConfig.DefaultInt($"{Section}.{key}")
        ?? throw new InvalidOperationException($"reference.conf has no default for {Section}.{key}");

    private static void Require(bool ok, string why)
    {
        if (!ok) throw new IpcException(IpcStatus.BadRange, why);
    }
}
