using Akka.Configuration;
using M3Actors.ClusterBridge;
using M3Actors.ClusterBridge.Membership;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// One node of the two-node VM the cross-node benchmarks use: a DRVS whose VM "ipc2-nodes" joins the bridge's
/// cluster on loopback (node 1 starts it, node 2 names it as seed). Both nodes have <see cref="UserSlots"/> user
/// slots: the slot partition is computed from it on each node, so it must be the same.
/// </summary>
public sealed class BridgeNode
{
    /// <summary>User slots of the VM on both nodes: room for every pipelined client in node 2's half.</summary>
    public const int UserSlots = 1024;

    private BridgeNode(Drvs drvs, Vm vm, int port)
    {
        Drvs = drvs;
        Vm = vm;
        Port = port;
    }

    /// <summary>The node's DRVS.</summary>
    public Drvs Drvs { get; }

    /// <summary>The VM's part on this node.</summary>
    public Vm Vm { get; }

    /// <summary>The loopback port the node's cluster member listens on.</summary>
    public int Port { get; }

    /// <summary>Starts node <paramref name="nodeId"/> and returns once it is an up member of the VM's cluster;
    /// <paramref name="beforeBridge"/> runs on the VM before its bridge starts (what it binds is published in the one
    /// exchange of the directory at the join, not as a replicated write per bind).</summary>
    public static BridgeNode Start(int nodeId, string? seed, Action<Vm>? beforeBridge = null)
    {
        var options = new BridgeOptions
        {
            NodeId = nodeId,
            NodeSet = new HashSet<int> { 1, 2 },
            Secret = "perf-ipc2-across-nodes",
            SeedNodes = seed is null ? [] : [seed],
        };
        var drvs = Drvs.Start(new DrvsOptions { NodeId = nodeId });
        try
        {
            // A benchmark on a shared machine must not lose its partner node to a late heartbeat.
            var quiet = ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.log-dead-letters = off
                akka.cluster.failure-detector.acceptable-heartbeat-pause = 30s
                """);
            var vm = drvs.StartVm(VmBridge.Configure(
                new VmOptions { Id = 0, Name = "ipc2-nodes", ActorConfig = quiet, UserSlots = UserSlots }, options));
            beforeBridge?.Invoke(vm);
            var bridge = VmBridge.StartAsync(vm, options).WaitAsync(M3Host.Timeout).GetAwaiter().GetResult();
            return new BridgeNode(drvs, vm,
                int.Parse(bridge.HostPort.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            End(drvs);
            throw;
        }
    }

    /// <summary>Ends the node (its VM leaves the cluster) and fails loudly if that does not finish in time.</summary>
    public void End() => End(Drvs);

    private static void End(Drvs drvs)
    {
        if (!drvs.EndAsync().Wait(M3Host.Timeout)) throw new TimeoutException($"node {drvs.NodeId} did not end");
    }
}
