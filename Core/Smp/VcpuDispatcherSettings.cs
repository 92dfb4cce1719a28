using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace M3Actors.Smp;

/// <summary>The validated HOCON of one vCPU dispatcher; every bad value fails here, at dispatcher creation.</summary>
internal sealed record VcpuDispatcherSettings(
    string Id,
    int Vcpus,
    SchedulingPolicy Policy,
    int ReservedVcpus,
    int[] PhysicalCpus,
    bool PhysicalCpusConfigured,
    int Throughput,
    TimeSpan RunLength,
    TimeSpan ShutdownTimeout,
    IReadOnlyDictionary<string, VcpuPlacement> Placements)
{
    /// <summary>How long a run may hold a vCPU that others wait for when <c>throughput-deadline-time</c> is 0 or absent.</summary>
    public static readonly TimeSpan DefaultRunLength = TimeSpan.FromMilliseconds(1);

    // The keys of one placement entry: placement { "/user/fs" { role = server, vcpu = 0 } } (reference.conf).
    private static readonly string[] PlacementKeys = ["role", "vcpu"];

    /// <summary>
    /// Reads and validates a vCPU dispatcher section. Absent keys take the reference configuration's defaults
    /// (<c>m3actors.vcpus</c>); the Akka dispatcher keys come with Akka's default-dispatcher values. Every error is a
    /// <see cref="ConfigurationException"/> naming the dispatcher and the key; the ranges are the typed
    /// <see cref="VcpuOptions"/>' (one check for both).
    /// </summary>
    public static VcpuDispatcherSettings Parse(Config config)
    {
        var id = config.GetString("id", "vcpu-dispatcher");
        var read = new Reader(config, id, id);
        var vcpus = read.Int("vcpus") ?? Environment.ProcessorCount;
        Check(id, VcpuOptions.CountError(vcpus, "vcpus"));

        var policy = SchedulingPolicyNames.Parse(read.String("policy") ?? Default<string>("policy"), id);
        var reserved = read.Int("reserved-vcpus");
        Check(id, VcpuOptions.ReservedError(policy, vcpus, reserved, "reserved-vcpus"));

        var listed = read.IntList("physical-cpus");
        Check(id, VcpuOptions.PhysicalCpusError(listed, "physical-cpus"));
        var physical = listed is null ? CpuAffinity.AllowedCpus() : [.. listed];

        var throughput = read.Int("throughput") ?? Default<int>("throughput");
        if (throughput <= 0) throw Error(id, $"throughput = {throughput} must be at least 1.");
        // Akka's 0 means "no deadline"; a vCPU always bounds a run, so 0 (the default) means the vCPU default.
        var deadline = read.Duration("throughput-deadline-time") ?? Default<TimeSpan>("throughput-deadline-time");
        var runLength = deadline > TimeSpan.Zero ? deadline : DefaultRunLength;
        var shutdown = read.Duration("shutdown-timeout") ?? Default<TimeSpan>("shutdown-timeout");

        var reservedVcpus = policy == SchedulingPolicy.Asymmetric ? reserved ?? VcpuOptions.DefaultReservedVcpus : 0;
        var rules = new PlacementRules(policy, vcpus, reservedVcpus);
        var placements = ReadPlacements(config, id, rules);
        return new VcpuDispatcherSettings(id, vcpus, policy, reservedVcpus, physical, listed is not null, throughput,
            runLength, shutdown, placements);
    }

    private static Dictionary<string, VcpuPlacement> ReadPlacements(Config config, string id, PlacementRules rules)
    {
        var placements = new Dictionary<string, VcpuPlacement>(StringComparer.Ordinal);
        if (!config.HasPath("placement")) return placements;
        var section = config.GetValue("placement");
        if (!section.IsObject())
            throw Error(id, $"{id}.placement must be an object keyed by actor path, found '{section}'.");
        foreach (var (path, value) in section.GetObject().Items)
        {
            var key = $"{id}.placement.\"{path}\"";
            if (!value.IsObject()) throw Error(id, $"{key} must be an object like {{ vcpu = 0, role = server }}.");
            foreach (var entryKey in value.GetObject().Items.Keys)
                if (!PlacementKeys.Contains(entryKey))
                    throw Error(id, M3ActorsConfig.UnknownKey(key, entryKey, PlacementKeys));
            var entry = new Reader(new Config(new HoconRoot(value)), id, key);
            var role = entry.String("role") switch
            {
                null or "client" => VcpuRole.Client,
                "server" => VcpuRole.Server,
                var other => throw Error(id, $"{key}.role is '{other}'; expected client or server."),
            };
            var placement = new VcpuPlacement(role, entry.Int("vcpu"));
            try
            {
                rules.Validate(path, placement);
            }
            catch (ArgumentException e)
            {
                throw new ConfigurationException($"Dispatcher '{id}': {e.Message}", e);
            }
            placements[path] = placement;
        }
        return placements;
    }

    private static T Default<T>(string key)
    {
        var path = $"{VmVcpus.Section}.{key}";
        object? value = typeof(T) == typeof(int) ? M3ActorsConfig.DefaultInt(path)
            : typeof(T) == typeof(TimeSpan) ? M3ActorsConfig.DefaultDuration(path)
            : M3ActorsConfig.DefaultString(path);
        return value is T typed
            ? typed
            : throw new InvalidOperationException($"reference.conf has no default for {path}");
    }

    private static void Check(string id, string? why)
    {
        if (why is not null) throw Error(id, $"{why}.");
    }

    private static ConfigurationException Error(string id, string message) => new($"Dispatcher '{id}': {message}");

    // Typed reads of the section's keys; errors name the full key (<id>.<key>).
    private readonly struct Reader(Config config, string id, string prefix)
    {
        public int? Int(string key) => HoconRead.Int(config, key, $"{prefix}.{key}", Fail);
        public string? String(string key) => HoconRead.String(config, key, $"{prefix}.{key}", Fail);
        public TimeSpan? Duration(string key) => HoconRead.Duration(config, key, $"{prefix}.{key}", Fail);
        public IReadOnlyList<int>? IntList(string key) => HoconRead.IntList(config, key, $"{prefix}.{key}", Fail);

        private Exception Fail(string why) => Error(id, $"{why}.");
    }
}
