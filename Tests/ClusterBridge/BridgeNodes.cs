using Akka.Configuration;
using M3Actors.ClusterBridge;
using M3Actors.ClusterBridge.Membership;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// One VM spanning several nodes in this process: each node is a DRVS with the VM's ActorSystem on a loopback port
/// (port 0), joined through the first. Failure detection is short (an unreachable node is seen within ~4 s) so tests
/// of node loss stay bounded, but not so short that a busy CI box (a GC pause, a starved heartbeat) makes a live node
/// unreachable in the middle of another test (a 1 s pause did, in one run in a few). Disposing ends every node.
/// </summary>
public sealed class BridgeNodes : IAsyncDisposable
{
    /// <summary>The bound on every wait in the cluster tests.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const string Secret = "the-secret-of-vm-3-across-nodes";

    // Short failure detection and downing, and a node that can be killed without leaving (no coordinated shutdown
    // on terminate): what a crash looks like to the survivors.
    private const string Hocon = """
        akka.loglevel = WARNING
        akka.cluster {
          failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 3s, threshold = 8.0 }
          gossip-interval = 200ms
          leader-actions-interval = 200ms
          unreachable-nodes-reaper-interval = 200ms
          split-brain-resolver.stable-after = 2s
        }
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.remote.dot-netty.tcp.connection-timeout = 2s
        """;

    private readonly List<(Drvs Drvs, Vm Vm, VmBridge Bridge)> _nodes = [];

    private BridgeNodes(ITestOutputHelper? output) => Output = output;

    /// <summary>Where the tests write.</summary>
    public ITestOutputHelper? Output { get; }

    /// <summary>The VM on node <paramref name="nodeId"/>.</summary>
    public Vm this[int nodeId] => _nodes.Single(n => n.Bridge.Options.NodeId == nodeId).Vm;

    /// <summary>The bridge on node <paramref name="nodeId"/>.</summary>
    public VmBridge Bridge(int nodeId) => _nodes.Single(n => n.Bridge.Options.NodeId == nodeId).Bridge;

    /// <summary>
    /// Starts nodes 1..<paramref name="count"/> of one VM (VM 3 "spread" unless <paramref name="vm"/> changes its
    /// options) and waits until all are up everywhere. <paramref name="beforeBridge"/> runs on each node's VM before
    /// its bridge starts (what it binds is published when the bridge attaches); <paramref name="bridge"/> changes each
    /// node's bridge options.
    /// </summary>
    public static async Task<BridgeNodes> StartAsync(int count, ITestOutputHelper? output = null, int userSlots = 240,
        Func<VmOptions, VmOptions>? vm = null, Action<int, Vm>? beforeBridge = null,
        Func<BridgeOptions, BridgeOptions>? bridge = null)
    {
        var nodes = new BridgeNodes(output);
        try
        {
            var set = Enumerable.Range(1, count).ToHashSet();
            for (var id = 1; id <= count; id++)
                await nodes.StartNodeAsync(id, set, userSlots, vm ?? (o => o), beforeBridge ?? ((_, _) => { }),
                    bridge ?? (o => o));
            using var cts = new CancellationTokenSource(Patience);
            while (nodes._nodes.Any(n => n.Bridge.UpNodes.Count < count)) await Task.Delay(20, cts.Token);
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends node <paramref name="nodeId"/>'s DRVS the ordinary way: its VM ends and leaves the cluster.</summary>
    public Task EndAsync(int nodeId) => _nodes.Single(n => n.Bridge.Options.NodeId == nodeId).Drvs.EndAsync();

    /// <summary>Kills node <paramref name="nodeId"/> as a crash would: its ActorSystem stops without leaving.</summary>
    public Task KillAsync(int nodeId) => this[nodeId].System.Terminate();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var (drvs, _, _) in Enumerable.Reverse(_nodes)) await drvs.EndAsync().WaitAsync(Patience);
    }

    private async Task StartNodeAsync(int nodeId, IReadOnlySet<int> nodeSet, int userSlots, Func<VmOptions, VmOptions> vm,
        Action<int, Vm> beforeBridge, Func<BridgeOptions, BridgeOptions> changeOptions)
    {
        var seeds = _nodes.Count == 0 ? [] : new[] { _nodes[0].Bridge.HostPort };
        var options = changeOptions(new BridgeOptions { NodeId = nodeId, NodeSet = nodeSet, Secret = Secret, SeedNodes = seeds });
        var drvs = Drvs.Start(new DrvsOptions { NodeId = nodeId });
        var started = drvs.StartVm(VmBridge.Configure(vm(
            new VmOptions
            {
                Id = 3, Name = "spread", UserSlots = userSlots, ActorConfig = ConfigurationFactory.ParseString(Hocon),
            }),
            options));
        beforeBridge(nodeId, started);
        using var cts = new CancellationTokenSource(Patience);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var bridge = await VmBridge.StartAsync(started, options, cts.Token);
        _nodes.Add((drvs, started, bridge));
        Output?.WriteLine($"node {nodeId} up at {bridge.HostPort} ({clock.ElapsedMilliseconds} ms to join)");
    }
}
