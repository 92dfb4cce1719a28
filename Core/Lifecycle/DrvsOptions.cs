using Akka.Configuration;

namespace M3Actors;

/// <summary>
/// A node's DRVS parameters and global limits (rulebook §1). Read from HOCON under <c>m3actors.drvs</c>; every key
/// has the embedded default shown in <see cref="DefaultHocon"/>.
/// </summary>
public sealed record DrvsOptions
{
    /// <summary>The embedded default configuration.</summary>
    public const string DefaultHocon = """
        m3actors.drvs {
          node-id = 0
          max-vms = 64
          max-nodes = 32
          max-endpoints-per-vm = 4096
          max-copy-bytes = 4194304
        }
        """;

    /// <summary>This node's id.</summary>
    public int NodeId { get; init; }
    /// <summary>Largest number of VMs (VM ids run 0..MaxVms-1).</summary>
    public int MaxVms { get; init; } = 64;
    /// <summary>Largest number of nodes (node ids run 0..MaxNodes-1).</summary>
    public int MaxNodes { get; init; } = 32;
    /// <summary>Largest number of endpoint slots in one VM.</summary>
    public int MaxEndpointsPerVm { get; init; } = 4096;
    /// <summary>Largest vcopy length in bytes (4 MiB by default).</summary>
    public int MaxCopyBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>HOCON every VM's ActorSystem falls back to (dispatchers, logging).</summary>
    public Config ActorConfig { get; init; } = Config.Empty;

    /// <summary>Reads the options from <paramref name="config"/>, falling back to the embedded defaults.</summary>
    public static DrvsOptions FromConfig(Config config)
    {
        var merged = config.WithFallback(ConfigurationFactory.ParseString(DefaultHocon));
        var drvs = merged.GetConfig("m3actors.drvs");
        return new DrvsOptions
        {
            NodeId = drvs.GetInt("node-id"),
            MaxVms = drvs.GetInt("max-vms"),
            MaxNodes = drvs.GetInt("max-nodes"),
            MaxEndpointsPerVm = drvs.GetInt("max-endpoints-per-vm"),
            MaxCopyBytes = drvs.GetInt("max-copy-bytes"),
            ActorConfig = config,
        };
    }

    internal void Validate()
    {
        Require(MaxNodes is >= 1 and <= 1024, $"max-nodes {MaxNodes} is outside 1..1024");
        Require(NodeId >= 0 && NodeId < MaxNodes, $"node-id {NodeId} is outside 0..{MaxNodes - 1}");
        Require(MaxVms is >= 1 and <= 4096, $"max-vms {MaxVms} is outside 1..4096");
        Require(MaxEndpointsPerVm is >= 1 and <= 16384, $"max-endpoints-per-vm {MaxEndpointsPerVm} is outside 1..16384");
        Require(MaxCopyBytes is >= 0 and <= 1 << 30, $"max-copy-bytes {MaxCopyBytes} is outside 0..1 GiB");
    }

    private static void Require(bool ok, string why)
    {
        if (!ok) throw new IpcException(IpcStatus.BadRange, why);
    }
}
