using Akka.Actor;
using M3Actors.ClusterBridge.Frames;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// This node's view of one peer node of the VM: the local proxy actor for it, the peer's proxy for this node (known
/// once the peer is a member), and whether Akka's failure detector currently reaches it. Read from any thread.
/// </summary>
internal sealed class NodeLink(int nodeId)
{
    private volatile IActorRef? _remote;
    private volatile bool _reachable;

    /// <summary>The peer's DRVS node id.</summary>
    internal int NodeId { get; } = nodeId;

    /// <summary>The local <see cref="NodeProxy"/> for this peer.</summary>
    internal IActorRef Proxy { get; set; } = ActorRefs.Nobody;

    /// <summary>True while the peer is a member that the failure detector reaches.</summary>
    internal bool Connected => _reachable && _remote is not null;

    /// <summary>The peer is up (again): frames go to its proxy for this node.</summary>
    internal void Connect(IActorRef remote)
    {
        _remote = remote;
        _reachable = true;
    }

    /// <summary>The peer is unreachable, or gone.</summary>
    internal void Disconnect() => _reachable = false;

    /// <summary>The failure detector reaches the peer again.</summary>
    internal void Reconnect() => _reachable = _remote is not null;

    /// <summary>Sends a frame to the peer's proxy; false when the peer is not connected (the frame is dropped).</summary>
    internal bool Send(IpcFrame frame)
    {
        if (!_reachable || _remote is not { } remote) return false;
        remote.Tell(frame, ActorRefs.NoSender);     // no sender path on the wire: nobody answers to it
        return true;
    }
}
