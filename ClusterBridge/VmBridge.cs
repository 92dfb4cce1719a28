using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using M3Actors.ClusterBridge.Copies;
using M3Actors.ClusterBridge.Directory;
using M3Actors.ClusterBridge.Membership;
using M3Actors.ClusterBridge.Proxies;

namespace M3Actors.ClusterBridge;

/// <summary>
/// Makes a VM span nodes (docs/cluster.md). On every node of the VM's node set: start the VM with
/// <see cref="Configure"/>d options, then <see cref="StartAsync"/> its bridge. The VM's ActorSystem then joins the
/// VM's own Akka cluster; endpoints bound on any node appear on the others as ghosts (owner kind Remote, with their
/// node in /proc), and send, sendrec, notify, reply, receive and vcopy work across nodes with the same statuses.
/// Calls to a node that becomes unreachable return NotConnected. Ending the VM leaves the cluster.
/// </summary>
public sealed class VmBridge
{
    private readonly Cluster _cluster;

    private VmBridge(Vm vm, BridgeOptions options, Cluster cluster, CopyEngine copies)
    {
        Vm = vm;
        Options = options;
        _cluster = cluster;
        Copies = copies;
    }

    /// <summary>The VM this bridge serves.</summary>
    public Vm Vm { get; }

    /// <summary>This node's bridge options.</summary>
    public BridgeOptions Options { get; }

    /// <summary>This node's side of every vcopy across nodes.</summary>
    internal CopyEngine Copies { get; }

    /// <summary>The Akka address this node listens on (its port, when <see cref="BridgeOptions.Port"/> was 0).</summary>
    public string HostPort => $"{_cluster.SelfAddress.Host}:{_cluster.SelfAddress.Port}";

    /// <summary>
    /// <paramref name="vm"/> with what a VM spanning nodes needs: its nodes are the bridge's node set, and its
    /// ActorSystem is a member of the VM's cluster (<see cref="BridgeCluster.ConfigFor"/>), under the VM's own HOCON.
    /// The ActorSystem's name is the VM's (<c>vm{Id}-{Name}</c>), so id and name must match on every node.
    /// </summary>
    public static VmOptions Configure(VmOptions vm, BridgeOptions bridge)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(bridge);
        var cluster = BridgeCluster.ConfigFor(bridge, SystemName(vm));
        return vm with { Nodes = bridge.NodeSet, ActorConfig = vm.ActorConfig.WithFallback(cluster) };
    }

    /// <summary>
    /// Starts the VM's bridge on this node and waits until this node is an up member of the VM's cluster. Throws
    /// <see cref="IpcException"/> BadNodeId when the VM's nodes are not the bridge's node set, and
    /// <see cref="InvalidOperationException"/> when the VM was not started with <see cref="Configure"/>d options.
    /// </summary>
    public static async Task<VmBridge> StartAsync(Vm vm, BridgeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(options);
        options.Validated();
        if (!vm.Nodes.SetEquals(options.NodeSet))
            throw new IpcException(IpcStatus.BadNodeId,
                $"{vm} spans nodes [{string.Join(",", vm.Nodes.Order())}], " +
                $"the bridge's node set is [{string.Join(",", options.NodeSet.Order())}]");
        if (vm.System is not ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider })
            throw new InvalidOperationException(
                $"{vm} was not started with VmBridge.Configure(...) options: its ActorSystem is no cluster member");
        var cluster = Cluster.Get(vm.System);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        var partition = new SlotPartition(options.NodeSet, vm.Options.SystemSlots, vm.Options.UserSlots);
        var links = options.NodeSet.Where(n => n != options.NodeId).ToDictionary(n => n, n => new NodeLink(n, vm.Kernel));
        var copies = new CopyEngine(vm.Kernel, options.NodeId, links, options.CopyTimeout,
            Logging.GetLogger(vm.System, typeof(CopyEngine)));
        vm.System.ActorOf(DirectoryActor.Props(vm.Kernel, options.NodeId, partition, new GhostTable(vm.Kernel), links,
            copies), DirectoryActor.Name);
        BridgeCluster.Join(vm.System, options);
        await up.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new VmBridge(vm, options, cluster, copies);
    }

    /// <summary>The node ids of the VM's members that are up now, this one included.</summary>
    public IReadOnlySet<int> UpNodes => _cluster.State.Members
        .Where(m => m.Status == MemberStatus.Up)
        .Select(BridgeCluster.NodeIdOf).OfType<int>().ToHashSet();

    private static string SystemName(VmOptions vm) => $"vm{vm.Id}-{vm.Name}";
}
