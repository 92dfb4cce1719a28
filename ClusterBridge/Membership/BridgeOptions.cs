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
    public string Hostname { get; init; } = DefaultHostname;

    /// <summary>The port this node listens on; 0 picks a free one.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Seed nodes as <c>host:port</c>; empty makes this node the first member (it joins itself).</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = DefaultSeedNodes;

    /// <summary>How long a new member has to prove the secret before it is downed.</summary>
    public TimeSpan ProofTimeout { get; init; } = DefaultProofTimeout;

    /// <summary>
    /// How long a vcopy's requester waits for a copy across nodes to end. The failure detector bounds the wait for a
    /// party's node that is lost (NotConnected); this bounds it for one that stays reachable but does not answer the
    /// copy (a node of a version without vcopy across nodes drops its frames): the vcopy then returns TimedOut and
    /// its parties are unpinned. Long enough for the largest copy on a slow link (4 MiB at 140 KB/s with the default).
    /// </summary>
    public TimeSpan CopyTimeout { get; init; } = DefaultCopyTimeout;

    /// <summary>
    /// TLS on the connections between the VM's nodes (Akka.Remote's DotNetty SSL): every node of the VM must have it
    /// on, or none; a node with it off cannot join one with it on. Off by default.
    /// </summary>
    public bool TlsEnabled { get; init; } = DefaultTlsEnabled;

    /// <summary>The node's certificate with its private key (a PKCS#12 / .pfx file), when TLS is on.</summary>
    public string TlsCertificatePath { get; init; } = DefaultTlsCertificatePath;

    /// <summary>The password of <see cref="TlsCertificatePath"/> (empty for none).</summary>
    public string TlsPassword { get; init; } = DefaultTlsPassword;

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
        if (CopyTimeout <= TimeSpan.Zero || CopyTimeout.TotalMilliseconds > int.MaxValue)
            throw Bad("copy-timeout", $"{CopyTimeout} is outside (0, {TimeSpan.FromMilliseconds(int.MaxValue)}]");
        if (TlsEnabled && !File.Exists(TlsCertificatePath))
            throw Bad("tls.certificate-path", $"'{TlsCertificatePath}' is not a certificate file (TLS is enabled)");
        if (TlsCertificatePath.Contains('"') || TlsPassword.Contains('"'))
            throw Bad("tls", "certificate-path and password may not contain a double quote");
        return this;
    }

    /// <summary>
    /// Reads <c>m3actors.cluster</c> from <paramref name="config"/>, absent optional keys taking the reference
    /// configuration's defaults (<see cref="M3ActorsConfig.Reference"/>). Throws <see cref="ArgumentException"/> naming
    /// the key for a missing required key, a value of the wrong type or out of range, and for a key the reference
    /// lacks (with the nearest valid one suggested).
    /// </summary>
    public static BridgeOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            M3ActorsConfig.CheckKeys(config);
        }
        catch (IpcException e)
        {
            throw new ArgumentException(e.Message, nameof(config), e);
        }
        return new BridgeOptions
        {
            NodeId = Int(config, "node-id") ?? throw Bad("node-id", "is missing"),
            NodeSet = (IntList(config, "node-set") ?? throw Bad("node-set", "is missing")).ToHashSet(),
            Secret = String(config, "secret") ?? throw Bad("secret", "is missing"),
            Hostname = String(config, "hostname") ?? DefaultHostname,
            Port = Int(config, "port") ?? DefaultPort,
            SeedNodes = StringList(config, "seed-nodes") ?? DefaultSeedNodes,
            ProofTimeout = Duration(config, "proof-timeout") ?? DefaultProofTimeout,
            CopyTimeout = Duration(config, "copy-timeout") ?? DefaultCopyTimeout,
            TlsEnabled = Bool(config, "tls.enabled") ?? DefaultTlsEnabled,
            TlsCertificatePath = String(config, "tls.certificate-path") ?? DefaultTlsCertificatePath,
            TlsPassword = String(config, "tls.password") ?? DefaultTlsPassword,
        }.Validated();
    }

    private const string Root = "m3actors.cluster";

    // The optional keys' defaults, read once from the reference configuration (the required keys have none).
    private static readonly string DefaultHostname = String(M3ActorsConfig.Reference, "hostname") ?? throw NoDefault();
    private static readonly int DefaultPort = Int(M3ActorsConfig.Reference, "port") ?? throw NoDefault();
    private static readonly IReadOnlyList<string> DefaultSeedNodes =
        StringList(M3ActorsConfig.Reference, "seed-nodes") ?? throw NoDefault();
    private static readonly TimeSpan DefaultProofTimeout =
        Duration(M3ActorsConfig.Reference, "proof-timeout") ?? throw NoDefault();
    private static readonly TimeSpan DefaultCopyTimeout =
        Duration(M3ActorsConfig.Reference, "copy-timeout") ?? throw NoDefault();
    private static readonly bool DefaultTlsEnabled = Bool(M3ActorsConfig.Reference, "tls.enabled") ?? throw NoDefault();
    private static readonly string DefaultTlsCertificatePath =
        String(M3ActorsConfig.Reference, "tls.certificate-path") ?? throw NoDefault();
    private static readonly string DefaultTlsPassword =
        String(M3ActorsConfig.Reference, "tls.password") ?? throw NoDefault();

    // Strict reads (a list where a value belongs, or the reverse, is an error, not ""): null when the key is absent.
    private static int? Int(Config c, string key) => HoconRead.Int(c, $"{Root}.{key}", $"{Root}.{key}", Wrong);
    private static bool? Bool(Config c, string key) => HoconRead.Bool(c, $"{Root}.{key}", $"{Root}.{key}", Wrong);
    private static string? String(Config c, string key) => HoconRead.String(c, $"{Root}.{key}", $"{Root}.{key}", Wrong);
    private static TimeSpan? Duration(Config c, string key) =>
        HoconRead.Duration(c, $"{Root}.{key}", $"{Root}.{key}", Wrong);
    private static IReadOnlyList<int>? IntList(Config c, string key) =>
        HoconRead.IntList(c, $"{Root}.{key}", $"{Root}.{key}", Wrong);
    private static IReadOnlyList<string>? StringList(Config c, string key) =>
        HoconRead.StringList(c, $"{Root}.{key}", $"{Root}.{key}", Wrong);

    private static InvalidOperationException NoDefault() =>
        new($"M3Actors' reference.conf lacks a default under {Root}");

    private static ArgumentException Wrong(string why) => new(why);

    private static bool IsHostPort(string s)
    {
        var colon = s.LastIndexOf(':');
        return colon > 0 && int.TryParse(s.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535;
    }

    private static ArgumentException Bad(string key, string why) =>
        new($"{Root}{(key.Length == 0 ? "" : ".")}{key} {why}");
}
