using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.TestKit;
using M3Actors.ClusterBridge.Membership;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// A VM's cluster admits only its own nodes: members of the node set that know the secret. Each node is an
/// ActorSystem on a loopback port in this process; every system is terminated at the end of the test.
/// </summary>
public sealed class MembershipTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Secret = "a-secret-of-the-vm-5";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<ActorSystem> _nodes = [];

    [Fact(Timeout = 60_000)]
    public async Task A_node_of_the_set_that_knows_the_secret_is_admitted_both_ways()
    {
        var (first, firstEvents) = StartFirst();
        var (second, secondEvents) = StartNode(2, Secret, first);
        Assert.Equal(2, firstEvents.ExpectMsg<NodeAdmitted>(Patience).NodeId);
        Assert.Equal(1, secondEvents.ExpectMsg<NodeAdmitted>(Patience).NodeId);
        await AwaitAssertAsync(() => Assert.Equal(2, Cluster.Get(first).State.Members.Count(m => m.Status == MemberStatus.Up)), Patience);
        Assert.False(second.WhenTerminated.IsCompleted);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(2, "not-the-secret-of-vm-5", "secret")]
    [InlineData(9, Secret, "not in the VM's node set")]
    [InlineData(1, Secret, "already a member")]
    public async Task A_node_that_fails_the_proof_is_refused_logged_and_downed(int nodeId, string secret, string reason)
    {
        var (first, firstEvents) = StartFirst();
        var (intruder, _) = StartNode(nodeId, secret, first);      // its own node set names itself: misconfigured
        var refused = firstEvents.ExpectMsg<NodeRefused>(Patience);
        Output.WriteLine($"refused: {refused.Reason}");
        Assert.Contains(reason, refused.Reason);
        await intruder.WhenTerminated.WaitAsync(Patience);        // a downed node's ActorSystem ends
        Assert.DoesNotContain(Cluster.Get(first).State.Members, m => m.Status == MemberStatus.Up && m.Address == refused.Address);
    }

    [Theory]
    [InlineData("node-id = 0", "m3actors.cluster.node-id")]
    [InlineData("node-id = x", "m3actors.cluster.node-id has the wrong type")]
    [InlineData("node-set = [2]", "m3actors.cluster.node-set does not contain this node's id 1")]
    [InlineData("secret = short", "m3actors.cluster.secret must be at least 16 characters")]
    [InlineData("seed-nodes = [\"nohost\"]", "m3actors.cluster.seed-nodes 'nohost' is not host:port")]
    [InlineData("port = 70000", "m3actors.cluster.port 70000")]
    public void Bad_options_name_their_key(string line, string expected)
    {
        var config = ConfigurationFactory.ParseString($$"""
            m3actors.cluster { node-id = 1, node-set = [1, 2], secret = "{{Secret}}" }
            m3actors.cluster { {{line}} }
            """);
        var error = Assert.Throws<ArgumentException>(() => BridgeOptions.FromConfig(config));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Options_are_read_from_HOCON()
    {
        var options = BridgeOptions.FromConfig(ConfigurationFactory.ParseString($$"""
            m3actors.cluster { node-id = 2, node-set = [1, 2], secret = "{{Secret}}", port = 2552,
              seed-nodes = ["127.0.0.1:2551"], proof-timeout = 3s }
            """));
        Assert.Equal((2, 2552, "127.0.0.1:2551", TimeSpan.FromSeconds(3)),
            (options.NodeId, options.Port, options.SeedNodes.Single(), options.ProofTimeout));
        Assert.Equal([1, 2], options.NodeSet.Order());
    }

    protected override void AfterAll()
    {
        foreach (var node in _nodes) node.Terminate();
        Assert.True(Task.WhenAll(_nodes.Select(n => n.WhenTerminated)).Wait(Patience), "every node ended");
        base.AfterAll();
    }

    private (ActorSystem, TestProbe) StartFirst() => StartNode(1, Secret, seed: null);

    private (ActorSystem System, TestProbe Events) StartNode(int nodeId, string secret, ActorSystem? seed)
    {
        var seeds = seed is null ? [] : new[] { $"127.0.0.1:{Cluster.Get(seed).SelfAddress.Port}" };
        var options = new BridgeOptions
        {
            NodeId = nodeId,
            NodeSet = new[] { 1, 2, nodeId }.ToHashSet(),
            Secret = secret,
            SeedNodes = seeds,
            ProofTimeout = TimeSpan.FromSeconds(10),
        };
        var config = ConfigurationFactory.ParseString("akka.loglevel = INFO")
            .WithFallback(BridgeCluster.ConfigFor(options, "vm5"));
        var system = ActorSystem.Create("vm5", config);
        _nodes.Add(system);
        var events = CreateTestProbe(system);
        system.EventStream.Subscribe(events.Ref, typeof(NodeAdmitted));
        system.EventStream.Subscribe(events.Ref, typeof(NodeRefused));
        BridgeCluster.Join(system, options);
        return (system, events);
    }
}
