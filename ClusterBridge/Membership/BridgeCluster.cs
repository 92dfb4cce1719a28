using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using M3Actors.ClusterBridge.Serialization;

namespace M3Actors.ClusterBridge.Membership;

/// <summary>
/// Makes a VM's ActorSystem a member of the VM's own Akka cluster (one system name per VM, so VMs stay apart on the
/// network too), guarded by the <see cref="Gatekeeper"/>.
/// </summary>
public static class BridgeCluster
{
    /// <summary>
    /// The Akka settings of one node of the VM: cluster provider on this node's address, the bridge's serializers,
    /// and Akka's Split Brain Resolver with <c>keep-majority</c> — after a partition the side with more nodes stays
    /// (on a tie, the side with the lowest address), the other downs itself, so a VM never runs twice. Callers blocked
    /// on a lost node's endpoints do not wait for that: they get NotConnected as soon as the node is unreachable.
    /// </summary>
    public static Config ConfigFor(BridgeOptions options, string systemName)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(systemName);
        options.Validated();
        var seeds = string.Join(", ", options.SeedNodes.Select(s => $"\"akka.tcp://{systemName}@{s}\""));
        return ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "{{options.Hostname}}", port = {{options.Port}} }
            akka.cluster {
              seed-nodes = [{{seeds}}]
              roles = ["{{RoleOf(options.NodeId)}}"]
              # The directory of bound slots: pushed to every node at each bind (WriteAll), gossiped as a fallback.
              distributed-data { gossip-interval = 500ms, notify-subscribers-interval = 50ms }
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver.active-strategy = keep-majority
              run-coordinated-shutdown-when-down = on
            }
            """).WithFallback(BridgeSerialization.Config);
    }

    /// <summary>The cluster role that names a member's DRVS node id (each member proves that id to the gatekeeper).</summary>
    public static string RoleOf(int nodeId) => $"m3-node-{nodeId}";

    /// <summary>The node id a member's roles name, or null for a member that names none.</summary>
    public static int? NodeIdOf(Member member)
    {
        ArgumentNullException.ThrowIfNull(member);
        foreach (var role in member.Roles)
            if (role.StartsWith("m3-node-", StringComparison.Ordinal) && int.TryParse(role.AsSpan(8), out var id)) return id;
        return null;
    }

    /// <summary>
    /// Starts the node's gatekeeper and joins: the seed nodes when there are any, else this node forms the cluster
    /// (and is then the first established member).
    /// </summary>
    public static IActorRef Join(ActorSystem system, BridgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        var cluster = Cluster.Get(system);
        var forms = options.SeedNodes.Count == 0;
        var gate = system.ActorOf(Gatekeeper.Props(options, established: forms), Gatekeeper.Name);
        if (forms) cluster.Join(cluster.SelfAddress);
        else cluster.JoinSeedNodes(options.SeedNodes.Select(s => Address.Parse($"akka.tcp://{system.Name}@{s}")));
        return gate;
    }
}
