using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using M3Actors.ClusterBridge.Copies;
using M3Actors.ClusterBridge.Membership;
using M3Actors.ClusterBridge.Proxies;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Directory;

/// <summary>
/// The VM's bridge on this node (<c>/user/m3b</c>): publishes this node's binds and unbinds in the replicated
/// directory (an Akka.DistributedData ORSet of <see cref="DirectoryEntry"/>), turns the other nodes' entries into
/// ghosts in the local kernel, resolves a slot two nodes claim (<see cref="SlotPartition.Winner"/>), and follows the
/// membership: a peer's proxy learns its address when it is up, fails its callers when it is unreachable, and its
/// ghosts go when it is removed. It is the parent of one <see cref="NodeProxy"/> per peer node.
/// </summary>
internal sealed class DirectoryActor : ReceiveActor
{
    /// <summary>The bridge's actor name on every node; short, since every frame carries its proxy's path.</summary>
    internal const string Name = "m3b";

    private static readonly ORSetKey<DirectoryEntry> Key = new("m3-directory");
    private static readonly IWriteConsistency Write = new WriteAll(TimeSpan.FromSeconds(3));

    private readonly IpcKernel _kernel;
    private readonly int _self;
    private readonly SlotPartition _partition;
    private readonly GhostTable _ghosts;
    private readonly Dictionary<int, NodeLink> _links;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Endpoint, DirectoryEntry> _mine = [];
    private readonly HashSet<int> _up = [];
    private IImmutableSet<DirectoryEntry> _entries = ImmutableHashSet<DirectoryEntry>.Empty;
    private readonly CopyEngine _copies;

    internal static Props Props(IpcKernel kernel, int self, SlotPartition partition, GhostTable ghosts,
        Dictionary<int, NodeLink> links, CopyEngine copies) =>
        Akka.Actor.Props.Create(() => new DirectoryActor(kernel, self, partition, ghosts, links, copies));

    public DirectoryActor(IpcKernel kernel, int self, SlotPartition partition, GhostTable ghosts,
        Dictionary<int, NodeLink> links, CopyEngine copies)
    {
        _kernel = kernel;
        _self = self;
        _partition = partition;
        _ghosts = ghosts;
        _links = links;
        _copies = copies;
        _up.Add(self);
        Receive<LocalBound>(b => Publish(b.Endpoint, b.Owner));
        Receive<LocalUnbound>(u => Withdraw(u.Endpoint));
        Receive<Changed>(c =>
        {
            _entries = c.Get(Key).Elements;
            Reconcile();
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(f => _log.Debug("directory write not yet on every node ({0}); gossip spreads it", f));
        Receive<ClusterEvent.MemberUp>(up => MemberUp(up.Member));
        Receive<ClusterEvent.UnreachableMember>(u => Unreachable(u.Member));
        Receive<ClusterEvent.ReachableMember>(r => Link(r.Member)?.Reconnect());
        Receive<ClusterEvent.MemberRemoved>(r => Removed(r.Member));
    }

    /// <summary>A local endpoint was bound (from the kernel's bind observer).</summary>
    internal sealed record LocalBound(Endpoint Endpoint, string Owner);

    /// <summary>A local endpoint was unbound.</summary>
    internal sealed record LocalUnbound(Endpoint Endpoint);

    /// <inheritdoc />
    protected override void PreStart()
    {
        foreach (var link in _links.Values)
            link.Proxy = Context.ActorOf(NodeProxy.Props(_kernel, link, _ghosts, _partition, _copies),
                NodeProxy.NameFor(link.NodeId));
        _kernel.AttachRemoteCopy(_copies);
        _replicator.Tell(Dsl.Subscribe(Key, Self));
        _cluster.Subscribe(Self, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.MemberUp),
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved));
        var self = Self;
        foreach (var (endpoint, owner) in _kernel.AttachBridge(new Observer(self), slot => _partition.Owns(_self, slot)))
            Publish(endpoint, owner);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _copies.End();      // a requester waiting for another node would otherwise wait forever
    }

    private void Publish(Endpoint endpoint, string owner)
    {
        var entry = new DirectoryEntry(endpoint, _self, owner);
        _mine[endpoint] = entry;
        _replicator.Tell(Dsl.Update(Key, ORSet<DirectoryEntry>.Empty, Write, set => set.Add(_cluster, entry)));
    }

    private void Withdraw(Endpoint endpoint)
    {
        if (!_mine.Remove(endpoint, out var entry)) return;
        _replicator.Tell(Dsl.Update(Key, ORSet<DirectoryEntry>.Empty, Write, set => set.Remove(_cluster, entry)));
    }

    // Every live member's entries → the winner of each slot → a ghost for each winner hosted elsewhere. A local
    // endpoint that lost its slot to a lower node id is unbound: its call under way ends with SlotUsed.
    private void Reconcile()
    {
        var listed = new HashSet<Endpoint>();
        foreach (var claims in _entries.Where(e => _up.Contains(e.NodeId)).GroupBy(e => e.Endpoint.Slot))
        {
            var winner = SlotPartition.Winner(claims);
            if (winner.NodeId == _self || !_links.TryGetValue(winner.NodeId, out var link)) continue;
            listed.Add(winner.Endpoint);
            if (_kernel.ProcAt(winner.Endpoint.Slot) is { Kind: not OwnerKind.Remote, Bound: true } local)
            {
                _log.Warning("slot {0} was bound on node {1} and here at once; node {1} keeps it, {2} is unbound",
                    winner.Endpoint.Slot, winner.NodeId, local.Owner);
                _kernel.Unbind(local, IpcStatus.SlotUsed);
                local.LastError = $"slot {local.Slot} is hosted by node {winner.NodeId}, which bound it at the same time";
            }
            _ghosts.Ensure(winner.Endpoint, winner.Owner, link, listed: true);
        }
        _ghosts.DropUnlisted(listed);
    }

    private void MemberUp(Member member)
    {
        if (Link(member) is not { } link) return;
        var path = new RootActorPath(member.Address) / "user" / Name / NodeProxy.NameFor(_self);
        link.Connect(((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(path));
        _up.Add(link.NodeId);
        Reconcile();
    }

    private void Unreachable(Member member)
    {
        if (Link(member) is not { } link) return;
        _log.Warning("node {0} at {1} is unreachable: calls to its endpoints return NotConnected", link.NodeId, member.Address);
        link.Disconnect();
        link.Proxy.Tell(NodeProxy.Unreachable.Instance);
        _copies.NodeLost(link.NodeId);
    }

    private void Removed(Member member)
    {
        if (Link(member) is not { } link) return;
        link.Disconnect();
        _up.Remove(link.NodeId);
        _ghosts.DropNode(link);
        _copies.NodeLost(link.NodeId);
        // A removed node cannot withdraw its own entries; every survivor does (removing twice is harmless).
        foreach (var entry in _entries.Where(e => e.NodeId == link.NodeId))
            _replicator.Tell(Dsl.Update(Key, ORSet<DirectoryEntry>.Empty, Write, set => set.Remove(_cluster, entry)));
    }

    private NodeLink? Link(Member member) =>
        BridgeCluster.NodeIdOf(member) is { } id && id != _self && _links.TryGetValue(id, out var link) ? link : null;

    // The kernel reports binds under its bind gate: only a Tell here.
    private sealed class Observer(IActorRef bridge) : IpcKernel.IBindObserver
    {
        public void Bound(Endpoint endpoint, string owner) => bridge.Tell(new LocalBound(endpoint, owner));

        public void Unbound(Endpoint endpoint) => bridge.Tell(new LocalUnbound(endpoint));
    }
}
