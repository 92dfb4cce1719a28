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

    public static VcpuDispatcherSettings Parse(Config config)
    {
        var id = config.GetString("id", "vcpu-dispatcher");
        var vcpus = ReadInt(config, id, "vcpus", Environment.ProcessorCount);
        if (vcpus <= 0) throw Error(id, $"vcpus must be at least 1, got {vcpus}.");

        var policy = SchedulingPolicyNames.Parse(config.GetString("policy", "symmetric"), id);
        var reserved = 0;
        if (policy == SchedulingPolicy.Asymmetric)
        {
            reserved = ReadInt(config, id, "reserved-vcpus", 1);
            if (reserved < 1 || reserved >= vcpus)
                throw Error(id, $"reserved-vcpus must be between 1 and vcpus - 1 ({vcpus - 1}) so that servers and " +
                                $"clients both have a vCPU, got {reserved}.");
        }
        else if (config.HasPath("reserved-vcpus"))
        {
            throw Error(id, $"reserved-vcpus only applies to policy = asymmetric, not {SchedulingPolicyNames.Format(policy)}.");
        }

        var configured = config.HasPath("physical-cpus");
        var physical = configured ? ReadCpuList(config, id) : CpuAffinity.AllowedCpus();

        var throughput = ReadInt(config, id, "throughput", 100);
        if (throughput <= 0) throw Error(id, $"throughput must be at least 1, got {throughput}.");
        // Akka's 0 means "no deadline"; a vCPU always bounds a run, so 0 (the default) means the vCPU default.
        var deadline = config.GetTimeSpan("throughput-deadline-time", TimeSpan.Zero);
        var runLength = deadline > TimeSpan.Zero ? deadline : DefaultRunLength;
        var shutdown = config.GetTimeSpan("shutdown-timeout", TimeSpan.FromSeconds(1));

        var rules = new PlacementRules(policy, vcpus, reserved);
        var placements = ReadPlacements(config, id, rules);
        return new VcpuDispatcherSettings(id, vcpus, policy, reserved, physical, configured, throughput,
            runLength, shutdown, placements);
    }

    private static int ReadInt(Config config, string id, string key, int fallback)
    {
        if (!config.HasPath(key)) return fallback;
        try
        {
            return config.GetInt(key, fallback);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"Dispatcher '{id}': {key} must be an integer: {e.Message}", e);
        }
    }

    private static int[] ReadCpuList(Config config, string id)
    {
        int[] cpus;
        try
        {
            cpus = [.. config.GetIntList("physical-cpus")];
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"Dispatcher '{id}': physical-cpus must be a list of CPU numbers: {e.Message}", e);
        }
        if (cpus.Length == 0) throw Error(id, "physical-cpus, when given, must name at least one CPU.");
        foreach (var cpu in cpus)
        {
            if (cpu < 0) throw Error(id, $"physical-cpus contains {cpu}; CPU numbers start at 0.");
        }
        return cpus;
    }

    private static Dictionary<string, VcpuPlacement> ReadPlacements(Config config, string id, PlacementRules rules)
    {
        var placements = new Dictionary<string, VcpuPlacement>(StringComparer.Ordinal);
        if (!config.HasPath("placement")) return placements;
        foreach (var (path, value) in config.GetConfig("placement").Root.GetObject().Items)
        {
            if (!value.IsObject()) throw Error(id, $"placement.\"{path}\" must be an object like {{ vcpu = 0, role = server }}.");
            var entry = new Config(new HoconRoot(value));
            var role = entry.GetString("role", "client") switch
            {
                "client" => VcpuRole.Client,
                "server" => VcpuRole.Server,
                var other => throw Error(id, $"placement.\"{path}\".role is '{other}'; expected client or server."),
            };
            int? vcpu = entry.HasPath("vcpu") ? ReadInt(entry, id, "vcpu", 0) : null;
            var placement = new VcpuPlacement(role, vcpu);
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

    private static ConfigurationException Error(string id, string message) => new($"Dispatcher '{id}': {message}");
}
