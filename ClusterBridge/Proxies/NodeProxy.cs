using Akka.Actor;
using M3Actors.ClusterBridge.Frames;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// One peer node of the VM, as seen from this node (the seed's sproxy/rproxy pair in one actor). Outbound: local
/// calls queued on the peer's ghosts are shipped as SEND/SENDREC/NOTIFY frames tagged with the caller's call
/// sequence, and the peer's ACK/REPLY completes exactly that call. Inbound: the peer's callers' calls are made here
/// through their ghosts, and each call's end goes back as one ACK or REPLY frame (sent by the ghost's port, see
/// <see cref="GhostPort.Completed"/>). The peer's batches do not pass through this actor: Akka.Remote hands them to
/// <see cref="InboundFrames"/> (through <see cref="InboundRef"/>); the proxy runs a frame that waited for its ghost
/// (<see cref="GhostPort.Done"/>) there. While the peer is unreachable every call to its ghosts returns NotConnected.
/// </summary>
internal sealed class NodeProxy : ReceiveActor
{
    private readonly IpcKernel _kernel;
    private readonly NodeLink _link;
    private readonly GhostTable _ghosts;
    private readonly InboundFrames _inbound;

    /// <summary>The proxy's actor name for <paramref name="nodeId"/>, under the bridge.</summary>
    internal static string NameFor(int nodeId) => $"n{nodeId}";

    internal static Props Props(IpcKernel kernel, NodeLink link, GhostTable ghosts, InboundFrames inbound) =>
        Akka.Actor.Props.Create(() => new NodeProxy(kernel, link, ghosts, inbound));

    public NodeProxy(IpcKernel kernel, NodeLink link, GhostTable ghosts, InboundFrames inbound)
    {
        _kernel = kernel;
        _link = link;
        _ghosts = ghosts;
        _inbound = inbound;
        Receive<GhostPort.Ship>(s => Ship(s.Port));
        Receive<GhostPort.Done>(d => _inbound.RunDeferred(d.Port));
        Receive<GhostPort.Abandon>(Cancel);
        Receive<FrameOutbox.FlushToken>(_ => _link.Flush());
        Receive<Unreachable>(_ => FailAll());
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // The VM is ending here: a sendnb still waiting for the peer's answer would otherwise wait forever.
        _link.FailSendNbs(IpcStatus.VmNotRunning);
        base.PostStop();
    }

    /// <summary>The peer became unreachable: end every call blocked on its ghosts with NotConnected.</summary>
    internal sealed record Unreachable
    {
        internal static readonly Unreachable Instance = new();
    }

    private void Ship(GhostPort port)
    {
        port.ShipStarted();
        _link.Shipper.Ship(port, flushNow: false);
        FlushIfIdle();
    }

    // Nothing more waits in this proxy's mailbox: send the batch now rather than after the flush token's hop (a lone
    // call pays no extra hop). With more work queued, the token (behind it) flushes, and the batch grows meanwhile.
    private void FlushIfIdle()
    {
        if (((ActorCell)Context).Mailbox?.MessageQueue.HasMessages != true) _link.Flush();
    }

    // A caller gave up a call to the peer's ghost: ask the peer to withdraw it. A shipped call stays blocked here
    // until the peer answers (two-phase cancel), so with the peer gone it ends with NotConnected now.
    private void Cancel(GhostPort.Abandon a)
    {
        if (!_link.Send(new IpcFrame(FrameKind.Cancel, a.Correlation, a.Caller, a.Port.Proc.Ep, IpcStatus.Ok, default)))
            _kernel.FailCallers(a.Port.Proc, IpcStatus.NotConnected);
    }

    // Under the inbound gate, as when this actor took the batches too: no ACK or REPLY of the peer is half handled.
    private void FailAll()
    {
        lock (_inbound.Gate)
        {
            _link.Shipper.Forget();
            foreach (var ghost in _ghosts.Of(_link)) _kernel.FailCallers(ghost.Proc, IpcStatus.NotConnected);
        }
    }
}
