using Akka.Configuration;
using M3Actors.ClusterBridge.Membership;
using M3Actors.Smp;
using Xunit;

namespace M3Actors.Tests.Configuration;

/// <summary>A value of the wrong type names its key; HOCON and typed options accept the same ranges.</summary>
public sealed class ConfigValueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory(Timeout = 30_000)]
    [InlineData("vcpus = many", "m3actors.vcpus.vcpus = 'many' is not an integer")]
    [InlineData("vcpus = [2]", "m3actors.vcpus.vcpus must be an integer, found")]
    [InlineData("policy = [symmetric]", "m3actors.vcpus.policy must be a string, found")]
    [InlineData("policy = asymmetric, reserved-vcpus = one", "m3actors.vcpus.reserved-vcpus = 'one' is not an integer")]
    [InlineData("physical-cpus = 0", "m3actors.vcpus.physical-cpus must be a list of integers [ ... ], found '0'")]
    [InlineData("physical-cpus = [0, x]", "m3actors.vcpus.physical-cpus contains 'x', which is not an integer")]
    [InlineData("throughput = lots", "m3actors.vcpus.throughput = 'lots' is not an integer")]
    [InlineData("throughput-deadline-time = soon", "m3actors.vcpus.throughput-deadline-time = 'soon' is not a duration")]
    [InlineData("shutdown-timeout = [1s]", "m3actors.vcpus.shutdown-timeout must be a duration, found")]
    [InlineData("placement { \"/user/fs\" { vcpu = x } }", "m3actors.vcpus.placement.\"/user/fs\".vcpu = 'x' is not an integer")]
    [InlineData("placement { \"/user/fs\" { role = [server] } }", "m3actors.vcpus.placement.\"/user/fs\".role must be a string")]
    public async Task A_vcpus_value_of_the_wrong_type_names_its_key(string keys, string expected)
    {
        var e = await StartFailsAsync<ConfigurationException>($"m3actors.vcpus {{ vcpus = 1\n{keys} }}");
        Assert.Contains("VM 1 'bad' cannot start its vCPUs", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("node-id = [1]", "m3actors.cluster.node-id must be an integer, found")]
    [InlineData("node-set = 2", "m3actors.cluster.node-set must be a list of integers [ ... ], found '2'")]
    [InlineData("node-set = [1, x]", "m3actors.cluster.node-set contains 'x', which is not an integer")]
    [InlineData("secret = [a]", "m3actors.cluster.secret must be a string, found")]
    [InlineData("seed-nodes = \"h:1\"", "m3actors.cluster.seed-nodes must be a list of strings [ ... ], found")]
    [InlineData("seed-nodes = [], node-set = [2]", "m3actors.cluster.node-set does not contain this node's id 1")]
    [InlineData("proof-timeout = later", "m3actors.cluster.proof-timeout = 'later' is not a duration")]
    [InlineData("copy-timeout = 0s", "m3actors.cluster.copy-timeout 00:00:00 is outside (0, ")]
    public void A_cluster_value_of_the_wrong_type_names_its_key(string line, string expected)
    {
        var config = ConfigurationFactory.ParseString($$"""
            m3actors.cluster { node-id = 1, node-set = [1], secret = "sixteen-characters" }
            m3actors.cluster { {{line}} }
            """);
        var e = Assert.Throws<ArgumentException>(() => BridgeOptions.FromConfig(config));
        Assert.Contains(expected, e.Message);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1025)]
    [InlineData(3000)]
    public async Task A_vcpu_count_out_of_range_is_refused_from_HOCON_and_from_code_alike(int count)
    {
        var typed = await StartFailsAsync<IpcException>(null, VcpuOptions.Of(count, SchedulingPolicy.Symmetric));
        Assert.Equal(IpcStatus.BadRange, typed.Status);
        Assert.Contains($"VcpuOptions.Count = {count} is outside 1..1024", typed.Message);

        var hocon = await StartFailsAsync<ConfigurationException>($"m3actors.vcpus.vcpus = {count}");
        Assert.Contains($"vcpus = {count} is outside 1..1024", hocon.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1024)]
    public void The_vcpu_count_bounds_are_accepted_by_both_checks(int count)
    {
        new VcpuOptions { Count = count }.Validate();
        var settings = VcpuDispatcherSettings.Parse(ConfigurationFactory.ParseString($"id = test, vcpus = {count}"));
        Assert.Equal(count, settings.Vcpus);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(2, SchedulingPolicy.Asymmetric, 2, "asymmetric needs 1..1 reserved vCPUs out of 2")]
    [InlineData(3, SchedulingPolicy.Asymmetric, 0, "asymmetric needs 1..2 reserved vCPUs out of 3")]
    [InlineData(2, SchedulingPolicy.AffinityStatic, 1, "only applies to the asymmetric policy, not affinity-static")]
    public async Task Reserved_vcpus_are_refused_from_HOCON_and_from_code_alike(int count, SchedulingPolicy policy,
        int reserved, string expected)
    {
        var typed = await StartFailsAsync<IpcException>(null, VcpuOptions.Of(count, policy, reserved));
        Assert.Contains($"VcpuOptions.ReservedVcpus", typed.Message);
        Assert.Contains(expected, typed.Message);

        var name = policy == SchedulingPolicy.Asymmetric ? "asymmetric" : "affinity-static";
        var hocon = await StartFailsAsync<ConfigurationException>(
            $"m3actors.vcpus {{ vcpus = {count}, policy = {name}, reserved-vcpus = {reserved} }}");
        Assert.Contains("reserved-vcpus", hocon.Message);
        Assert.Contains(expected, hocon.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_empty_physical_cpu_list_is_refused_from_HOCON_and_from_code_alike()
    {
        const string expected = "when given, must be a non-empty list of CPU numbers from 0";
        var typed = await StartFailsAsync<IpcException>(null, new VcpuOptions { Count = 1, PhysicalCpus = [] });
        Assert.Contains($"VcpuOptions.PhysicalCpus, {expected}", typed.Message);
        var hocon = await StartFailsAsync<ConfigurationException>("m3actors.vcpus { vcpus = 1, physical-cpus = [] }");
        Assert.Contains($"physical-cpus, {expected}", hocon.Message);
    }

    [Theory]
    [InlineData("max-vms", 5000, "m3actors.drvs.max-vms = 5000 is outside 1..4096")]
    [InlineData("max-copy-bytes", -1, "m3actors.drvs.max-copy-bytes = -1 is outside 0..1073741824")]
    public void Drvs_limits_are_refused_from_HOCON_and_from_code_alike(string key, int value, string expected)
    {
        var fromHocon = DrvsOptions.FromConfig(ConfigurationFactory.ParseString($"m3actors.drvs.{key} = {value}"));
        var typed = key == "max-vms" ? new DrvsOptions { MaxVms = value } : new DrvsOptions { MaxCopyBytes = value };
        Assert.Equal(typed, fromHocon with { ActorConfig = Config.Empty });
        Assert.Contains(expected, Assert.Throws<IpcException>(() => Drvs.Start(fromHocon)).Message);
        Assert.Contains(expected, Assert.Throws<IpcException>(() => Drvs.Start(typed)).Message);
    }

    // Starts VM 1 'bad' with the HOCON and/or typed vCPUs, expects T, and checks that nothing was left running.
    private static async Task<T> StartFailsAsync<T>(string? hocon, VcpuOptions? vcpus = null) where T : Exception
    {
        var drvs = Drvs.Start();
        try
        {
            var e = Assert.Throws<T>(() => drvs.StartVm(new VmOptions
            {
                Id = 1, Name = "bad", Vcpus = vcpus,
                ActorConfig = hocon is null ? Config.Empty : ConfigurationFactory.ParseString(hocon),
            }));
            Assert.Empty(drvs.Vms);
            return e;
        }
        finally
        {
            await drvs.EndAsync().WaitAsync(Patience);
        }
    }
}
