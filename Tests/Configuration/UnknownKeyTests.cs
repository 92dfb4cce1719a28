using Akka.Configuration;
using M3Actors.ClusterBridge.Membership;
using M3Actors.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace M3Actors.Tests.Configuration;

/// <summary>A key under <c>m3actors</c> that the reference lacks fails at start, naming it and the nearest valid key.</summary>
public sealed class UnknownKeyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("m3actors.drvs.max-vm = 8", "m3actors.drvs.max-vm is not a known key; did you mean m3actors.drvs.max-vms?")]
    [InlineData("m3actors.drvs.nodeid = 1", "did you mean m3actors.drvs.node-id?")]
    [InlineData("m3actors.vcpu.vcpus = 2", "m3actors.vcpu is not a known key; did you mean m3actors.vcpus?")]
    [InlineData("m3actors.vcpus.polcy = symmetric", "did you mean m3actors.vcpus.policy?")]
    [InlineData("m3actors.clutser.port = 1", "did you mean m3actors.cluster?")]
    public void DrvsOptions_FromConfig_refuses_an_unknown_key_and_suggests_the_nearest(string hocon, string expected)
    {
        var e = Assert.Throws<IpcException>(() => DrvsOptions.FromConfig(ConfigurationFactory.ParseString(hocon)));
        Assert.Equal(IpcStatus.BadRange, e.Status);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_key_far_from_every_valid_one_gets_no_suggestion_but_the_list_of_keys()
    {
        var e = Assert.Throws<IpcException>(() =>
            DrvsOptions.FromConfig(ConfigurationFactory.ParseString("m3actors.drvs.zzzzzzzzzzzz = 1")));
        Assert.DoesNotContain("did you mean", e.Message);
        Assert.Contains("m3actors.drvs.zzzzzzzzzzzz is not a known key.", e.Message);
        Assert.Contains("The keys of m3actors.drvs are node-id, max-vms, max-nodes, max-endpoints-per-vm, max-copy-bytes",
            e.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_vm_whose_HOCON_has_a_misspelt_vcpus_key_does_not_start()
    {
        var drvs = Drvs.Start();
        try
        {
            var e = Assert.Throws<IpcException>(() => drvs.StartVm(new VmOptions
            {
                Id = 1, Name = "typo",
                ActorConfig = ConfigurationFactory.ParseString("m3actors.vcpus { vcpus = 2, polcy = asymmetric }"),
            }));
            Assert.Equal(IpcStatus.BadRange, e.Status);
            Assert.Contains("m3actors.vcpus.polcy is not a known key; did you mean m3actors.vcpus.policy?", e.Message);
            Assert.Empty(drvs.Vms);
        }
        finally
        {
            await drvs.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact]
    public void A_drvs_whose_HOCON_has_a_misspelt_key_for_every_vm_does_not_start()
    {
        var options = new DrvsOptions { ActorConfig = ConfigurationFactory.ParseString("m3actors.vcpus.reserved-vcpu = 1") };
        var e = Assert.Throws<IpcException>(() => Drvs.Start(options));
        Assert.Contains("did you mean m3actors.vcpus.reserved-vcpus?", e.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Keys_outside_m3actors_are_not_checked()
    {
        await using var drvs = Drvs.Start();
        var vm = drvs.StartVm(new VmOptions
        {
            Id = 1, Name = "mine",
            ActorConfig = ConfigurationFactory.ParseString("myapp.greting = hello\nakka.loglevel = ERROR"),
        });
        Assert.Equal("hello", vm.System.Settings.Config.GetString("myapp.greting"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_misspelt_placement_entry_key_is_refused_at_vm_start()
    {
        var drvs = Drvs.Start();
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => drvs.StartVm(new VmOptions
            {
                Id = 1, Name = "place",
                ActorConfig = ConfigurationFactory.ParseString(
                    "m3actors.vcpus { vcpus = 1, placement { \"/user/fs\" { rol = server } } }"),
            }));
            Assert.Contains("m3actors.vcpus.placement.\"/user/fs\".rol is not a known key; did you mean " +
                            "m3actors.vcpus.placement.\"/user/fs\".role?", e.Message);
            Assert.Empty(drvs.Vms);
        }
        finally
        {
            await drvs.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact]
    public void Cluster_options_refuse_an_unknown_key_with_a_suggestion()
    {
        var config = ConfigurationFactory.ParseString("""
            m3actors.cluster { node-id = 1, node-set = [1], secret = "sixteen-characters", seed-node = ["h:1"] }
            """);
        var e = Assert.Throws<ArgumentException>(() => BridgeOptions.FromConfig(config));
        Assert.Contains("m3actors.cluster.seed-node is not a known key; did you mean m3actors.cluster.seed-nodes?", e.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_hosted_vm_with_a_misspelt_key_fails_the_host_start()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["M3Actors:Vms:0:Id"] = "1",
            ["M3Actors:Vms:0:Name"] = "hosted",
            ["M3Actors:Vms:0:Hocon"] = "m3actors.vcpus { vcpu = 1 }",
        });
        builder.Services.AddM3Actors(builder.Configuration.GetSection(M3ActorsOptions.Section));
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<IpcException>(() => host.StartAsync().WaitAsync(Patience));
        Assert.Contains("m3actors.vcpus.vcpu is not a known key; did you mean m3actors.vcpus.vcpus?", e.Message);
        Assert.False(host.Services.GetRequiredService<Drvs>().IsInitialised);
    }

    [Theory]
    [InlineData("max-vm", "max-vms", 1)]
    [InlineData("polcy", "policy", 1)]
    [InlineData("", "vcpus", 5)]
    [InlineData("kitten", "sitting", 3)]
    public void Edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int expected)
    {
        Assert.Equal(expected, KeySuggestion.Distance(a, b));
        Assert.Equal(expected, KeySuggestion.Distance(b, a));
    }
}
