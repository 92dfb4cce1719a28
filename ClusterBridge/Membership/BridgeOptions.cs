using Akka.Configuration;

namespace M3Actors.ClusterBridge.Membership;

/// <summary>
/// One node's view of a VM that spans nodes: which DRVS node this is, which nodes the VM may run on, where to find
/// the cluster, and the secret every member of the VM shares. Read from HOCON (<c>m3actors.cluster</c>) or set in code.
/// </summary>
public sealed record BridgeOptions
{
    /// <summary>This node's DRVS node id (1 or more); it must be in <see cref="NodeSet"/>.</summary>
    public required int NodeId { get; init; }

    /// <summary>The nodes the VM may span; a member that proves another id is refused.</summary>
    public required IReadOnlySet<int> NodeSet { get; init; }

    /// <summary>The secret the VM's members share; a member that cannot prove it is refused. At least 16 characters.</summary>
    public required string Secret { get; init; }

    /// <summary>The address this node listens on (loopback by default).</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>The port this node listens on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Seed nodes as <c>host:port</c>; empty makes this node the first member (it joins itself).</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>How long a new member has to prove the secret before it is downed.</summary>
    public TimeSpan ProofTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks every field; throws <see cref="ArgumentException"/> naming the HOCON key of the first bad one.</summary>
    public BridgeOptions Validated()
    {
        if (NodeId < 1) throw Bad("node-id", $"{NodeId} is not a node id (1 or more)");
        if (NodeSet is null || NodeSet.Count == 0 || NodeSet.Any(n => n < 1))
            throw Bad("node-set", "must list the node ids (1 or more) the VM may span");
        if (!NodeSet.Contains(NodeId)) throw Bad("node-set", $"does not contain this node's id {NodeId}");
        if (string.IsNullOrEmpty(Secret) || Secret.Length < 16) throw Bad("secret", "must be at least 16 characters");
        if (string.IsNullOrWhiteSpace(Hostname)) throw Bad("hostname", "is empty");
        if (Port is < 0 or > 65535) throw Bad("port", $"{Port} is outside 0..65535");
        foreach (var seed in SeedNodes)
            if (!IsHostPort(seed)) throw Bad("seed-nodes", $"'{seed}' is not host:port");
        if (ProofTimeout <= TimeSpan.Zero) throw Bad("proof-timeout", "must be positive");
        return this;
    }

    /// <summary>Reads <c>m3actors.cluster</c> from <paramref name="config"/>; errors name the key.</summary>
    public static BridgeOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.GetConfig(Root) ?? throw Bad("", "is missing");
        return new BridgeOptions
        {
            NodeId = Read(c, "node-id", k => c.GetInt(k)),
            NodeSet = Read(c, "node-set", k => c.GetIntList(k)).ToHashSet(),
            Secret = Read(c, "secret", k => c.GetString(k)),
            Hostname = c.HasPath("hostname") ? Read(c, "hostname", k => c.GetString(k)) : "127.0.0.1",
            Port = c.HasPath("port") ? Read(c, "port", k => c.GetInt(k)) : 0,
            SeedNodes = c.HasPath("seed-nodes") ? Read(c, "seed-nodes", k => c.GetStringList(k)).ToArray() : [],
            ProofTimeout = c.HasPath("proof-timeout")
                ? Read(c, "proof-timeout", k => c.GetTimeSpan(k, allowInfinite: false))
                : TimeSpan.FromSeconds(10),
        }.Validated();
    }

    private const string Root = "m3actors.cluster";

    private static T Read<T>(Config c, string key, Func<string, T> read)
    {
        if (!c.HasPath(key)) throw Bad(key, "is missing");
        try
        {
            return read(key);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or InvalidCastException or OverflowException)
        {
            throw Bad(key, $"has the wrong type ({e.Message})");
        }
    }

    private static bool IsHostPort(string s)
    {
        var colon = s.LastIndexOf(':');
        return colon > 0 && int.TryParse(s.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535;
    }

    private static ArgumentException Bad(string key, string why) =>
        new($"{Root}{(key.Length == 0 ? "" : ".")}{key} {why}");
}
