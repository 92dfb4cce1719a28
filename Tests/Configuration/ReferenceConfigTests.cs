using System.Text.RegularExpressions;
using Akka.Configuration;
using M3Actors.ClusterBridge.Membership;
using M3Actors.Smp;
using Xunit;

namespace M3Actors.Tests.Configuration;

/// <summary>The embedded reference configuration documents every key and is where the defaults come from.</summary>
public sealed partial class ReferenceConfigTests
{
    [Fact]
    public void Every_key_of_the_reference_has_a_comment_right_above_it()
    {
        var lines = M3ActorsConfig.ReferenceText.Split('\n').Select(l => l.Trim()).ToArray();
        var keys = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!KeyLine().IsMatch(lines[i])) continue;
            keys++;
            Assert.True(i > 0 && lines[i - 1].StartsWith('#'), $"reference.conf line {i + 1} '{lines[i]}' has no comment");
        }
        Assert.True(keys >= 20, $"only {keys} keys found");
    }

    [Fact]
    public void Typed_and_HOCON_defaults_are_the_reference_values()
    {
        var reference = M3ActorsConfig.Reference;
        var fromEmpty = DrvsOptions.FromConfig(Config.Empty);
        Assert.Equal(new DrvsOptions(), fromEmpty);
        Assert.Equal(reference.GetInt("m3actors.drvs.max-vms"), fromEmpty.MaxVms);
        Assert.Equal(reference.GetInt("m3actors.drvs.max-copy-bytes"), fromEmpty.MaxCopyBytes);

        Assert.Equal(SchedulingPolicy.Symmetric, new VcpuOptions().Policy);
        Assert.Equal("symmetric", reference.GetString("m3actors.vcpus.policy"));
        var settings = VcpuDispatcherSettings.Parse(ConfigurationFactory.ParseString("id = t, policy = asymmetric"));
        Assert.Equal(reference.GetInt("m3actors.vcpus.reserved-vcpus"), settings.ReservedVcpus);
        Assert.Equal(reference.GetInt("m3actors.vcpus.throughput"), settings.Throughput);

        var cluster = BridgeOptions.FromConfig(ConfigurationFactory.ParseString(
            "m3actors.cluster { node-id = 1, node-set = [1], secret = \"sixteen-characters\" }"));
        Assert.Equal((reference.GetString("m3actors.cluster.hostname"), reference.GetInt("m3actors.cluster.port")),
            (cluster.Hostname, cluster.Port));
        Assert.Equal(TimeSpan.FromSeconds(10), cluster.ProofTimeout);
        Assert.Equal(reference.GetTimeSpan("m3actors.cluster.copy-timeout"), cluster.CopyTimeout);
        Assert.Empty(cluster.SeedNodes);
    }

    [Fact]
    public void The_reference_passes_its_own_check_and_required_cluster_keys_stay_required()
    {
        M3ActorsConfig.CheckKeys(M3ActorsConfig.Reference);
        var e = Assert.Throws<ArgumentException>(() => BridgeOptions.FromConfig(ConfigurationFactory.ParseString(
            "m3actors.cluster { node-set = [1], secret = \"sixteen-characters\" }")));
        Assert.Contains("m3actors.cluster.node-id is missing", e.Message);
    }

    [Fact]
    public void Every_key_of_the_reference_is_in_docs_configuration_md()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "M3Actors.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var docs = File.ReadAllText(Path.Combine(root.FullName, "docs", "configuration.md"));
        var keys = LeafKeys(M3ActorsConfig.Reference.GetValue(M3ActorsConfig.Root), M3ActorsConfig.Root).ToList();
        Assert.Contains("m3actors.vcpus.placement", keys);
        Assert.All(keys, key => Assert.Contains($"`{key}`", docs));
    }

    // Every key whose value is not a section; an empty object (a map of the user's keys) counts as a key.
    private static IEnumerable<string> LeafKeys(Akka.Configuration.Hocon.HoconValue value, string path) =>
        value.IsObject() && value.GetObject().Items.Count > 0
            ? value.GetObject().Items.SelectMany(item => LeafKeys(item.Value, $"{path}.{item.Key}"))
            : [path];

    [GeneratedRegex(@"^[a-z][a-z-]* = ")]
    private static partial Regex KeyLine();
}
