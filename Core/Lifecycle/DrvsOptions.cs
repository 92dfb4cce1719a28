using System.Globalization;
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

    private const string Section = "m3actors.drvs";
    private static readonly string[] Keys = ["node-id", "max-vms", "max-nodes", "max-endpoints-per-vm", "max-copy-bytes"];

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

    /// <summary>
    /// Reads the options from <paramref name="config"/>, falling back to the embedded defaults. Throws
    /// <see cref="IpcException"/> BadRange naming the HOCON key (e.g. <c>m3actors.drvs.max-vms</c>) for a value that is
    /// not an integer, and for a key under <c>m3actors.drvs</c> that does not exist (usually a typo). Values out of
    /// range are refused by <see cref="Drvs.Init"/>, which names the key too.
    /// </summary>
    public static DrvsOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        CheckKeys(config);
        var merged = config.WithFallback(ConfigurationFactory.ParseString(DefaultHocon));
        return new DrvsOptions
        {
            NodeId = ReadInt(merged, "node-id"),
            MaxVms = ReadInt(merged, "max-vms"),
            MaxNodes = ReadInt(merged, "max-nodes"),
            MaxEndpointsPerVm = ReadInt(merged, "max-endpoints-per-vm"),
            MaxCopyBytes = ReadInt(merged, "max-copy-bytes"),
            ActorConfig = config,
        };
    }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ActorConfig, nameof(ActorConfig));
        Require(MaxNodes is >= 1 and <= 1024, $"{Section}.max-nodes = {MaxNodes} is outside 1..1024");
        Require(NodeId >= 0 && NodeId < MaxNodes,
            $"{Section}.node-id = {NodeId} is outside 0..{MaxNodes - 1} (max-nodes - 1)");
        Require(MaxVms is >= 1 and <= 4096, $"{Section}.max-vms = {MaxVms} is outside 1..4096");
        Require(MaxEndpointsPerVm is >= 1 and <= Endpoint.MaxSlotsPerVm,
            $"{Section}.max-endpoints-per-vm = {MaxEndpointsPerVm} is outside 1..{Endpoint.MaxSlotsPerVm}");
        Require(MaxCopyBytes is >= 0 and <= 1 << 30,
            $"{Section}.max-copy-bytes = {MaxCopyBytes} is outside 0..1073741824 (1 GiB)");
    }

    // A misspelt key would otherwise be ignored silently and its default used.
    private static void CheckKeys(Config config)
    {
        if (!config.HasPath(Section)) return;
        var section = config.GetValue(Section);
        if (!section.IsObject())
            throw new IpcException(IpcStatus.BadRange,
                $"{Section} must be an object {{ node-id = ..., max-vms = ... }}, found '{section}'");
        foreach (var key in section.GetObject().Items.Keys)
            if (!Keys.Contains(key))
                throw new IpcException(IpcStatus.BadRange,
                    $"{Section}.{key} is not a DRVS setting; the settings are {string.Join(", ", Keys)}");
    }

    private static int ReadInt(Config config, string key)
    {
        var path = $"{Section}.{key}";
        var value = config.GetValue(path);
        if (value is null || !value.IsString())
            throw new IpcException(IpcStatus.BadRange, $"{path} must be an integer, found '{value}'");
        var text = value.GetString();
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            throw new IpcException(IpcStatus.BadRange, $"{path} = '{text}' is not an integer in {int.MinValue}..{int.MaxValue}");
        return n;
    }

    private static void Require(bool ok, string why)
    {
        if (!ok) throw new IpcException(IpcStatus.BadRange, why);
    }
}
