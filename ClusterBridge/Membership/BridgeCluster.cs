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
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver.active-strategy = keep-majority
              run-coordinated-shutdown-when-down = on
            }
            """).WithFallback(BridgeSerialization.Config);
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
