using Akka.Actor;
using Akka.Event;
using M3Actors.ClusterBridge.Directory;
using M3Actors.ClusterBridge.Frames;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// One peer node of the VM, as seen from this node (the seed's sproxy/rproxy pair in one actor). Outbound: local
/// calls queued on the peer's ghosts are shipped as SEND/SENDREC/NOTIFY frames tagged with the caller's call
/// sequence, and the peer's ACK/REPLY completes exactly that call. Inbound: the peer's callers' calls are made here
/// through their ghosts, and each call's end goes back as one ACK or REPLY frame (sent by the ghost's port, see
/// <see cref="GhostPort.Completed"/>). CANCEL withdraws an abandoned call, PROBE chases a deadlock across nodes.
/// While the peer is unreachable every call to its ghosts returns NotConnected.
/// </summary>
internal sealed class NodeProxy : ReceiveActor
{
    private readonly IpcKernel _kernel;
    private readonly NodeLink _link;
    private readonly GhostTable _ghosts;
    private readonly SlotPartition _partition;
    private readonly Copies.CopyEngine _copies;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>The proxy's actor name for <paramref name="nodeId"/>, under the bridge (short: it is on every frame).</summary>
    internal static string NameFor(int nodeId) => $"n{nodeId}";

    internal static Props Props(IpcKernel kernel, NodeLink link, GhostTable ghosts, SlotPartition partition,
        Copies.CopyEngine copies) =>
        Akka.Actor.Props.Create(() => new NodeProxy(kernel, link, ghosts, partition, copies));

    public NodeProxy(IpcKernel kernel, NodeLink link, GhostTable ghosts, SlotPartition partition,
        Copies.CopyEngine copies)
    {
        _kernel = kernel;
        _copies = copies;
        _link = link;
        _ghosts = ghosts;
        _partition = partition;
        Receive<GhostPort.Ship>(s => Ship(s.Port));
        Receive<GhostPort.Done>(d => RunDeferred(d.Port));
        Receive<GhostPort.Abandon>(Cancel);
        Receive<FrameBatch>(OnBatch);
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

    // The serializer checked every frame of the batch on arrival: decoding again here cannot fail.
    private void OnBatch(FrameBatch batch)
    {
        var bytes = batch.Bytes;
        for (var at = 1; at < bytes.Length;)
        {
            var frame = FrameCodec.Read(bytes, ref at);
            if (CopyFrames.IsCopy(frame.Kind)) _copies.OnFrame(_link, in frame, bytes, at);
            else OnFrame(in frame);
        }
        FlushIfIdle();      // the answers decided at once (and those the calls' servers gave meanwhile)
    }

    private void OnFrame(in IpcFrame frame)
    {
        switch (frame.Kind)
        {
            case FrameKind.Ack when SendNbWait.IsSendNbAnswer(frame):
                _link.AnswerSendNb(in frame);     // false: the sendnb ended meanwhile (NotConnected), nobody waits
                break;
            case FrameKind.Ack or FrameKind.Reply:
                _link.Shipper.Answered();
                var reply = frame.Message;
                _kernel.CompleteShipped(frame.Caller, frame.Partner, frame.Correlation, frame.Status, in reply);
                break;
            case FrameKind.Send or FrameKind.SendNb or FrameKind.SendRec or FrameKind.Notify:
                CallFor(in frame);
                break;
            case FrameKind.Cancel:
                Withdraw(in frame);
                break;
            case FrameKind.Probe:
                DeadlockProbes.Chase(_kernel, frame.Partner, frame.Caller, frame.Correlation, frame.Message.Type);
                break;
            default:
                _log.Warning("node {0} sent a {1} frame, which this version does not use: {2}", _link.NodeId, frame.Kind, frame);
                break;
        }
    }

    // Makes the remote caller's call here through its ghost (made now if the directory has not brought it yet).
    private void CallFor(in IpcFrame frame)
    {
        if (GhostOfCaller(in frame) is not { } ghost) return;
        var notify = frame.Kind == FrameKind.Notify;
        var message = frame.Message;
        IpcFrame? answer = null;
        lock (ghost.Gate)
        {
            if (ghost.InCall)
            {
                // The caller has one call at a time, so this frame proves the previous one was abandoned there
                // (timed out or cancelled): withdraw it. If it has just ended, its answer is on its way: a call runs
                // after that answer (a later frame supersedes one waiting here); a notify needs no free ghost.
                if (_kernel.Abort(ghost.Proc, ghost.KernelSeq, IpcStatus.TimedOut)) ghost.EndCall();
                else if (!notify)
                {
                    ghost.Deferred = frame;
                    return;
                }
            }
            if (notify)
            {
                _kernel.CallAs(ghost.Proc, frame.Partner, in message, IpcCalls.Notify);     // never answered
                return;
            }
            ghost.Call = frame.Kind switch
            {
                FrameKind.SendRec => IpcCalls.SendRec,
                FrameKind.SendNb => IpcCalls.SendNb,     // never suspends: answered below with Ok or NotReady
                _ => IpcCalls.Send,
            };
            ghost.Correlation = frame.Correlation;
            ghost.Partner = frame.Partner;
            // Under the gate: a completion on another thread waits until the call is marked as under way.
            var status = _kernel.CallAs(ghost.Proc, frame.Partner, in message, ghost.Call);
            if (status == IpcStatus.Suspended)
            {
                ghost.StartCall();
                ghost.KernelSeq = ghost.Proc.CallSeq;
            }
            else answer = ghost.Answer(status, default);
        }
        if (answer is { } a)
        {
            _link.Answer(in a);
            return;
        }
        // The remote caller now waits for a partner here: if that one waits, through other nodes, for the caller,
        // this call closed a cycle. Chase the edges (the local walk saw only this node's part).
        DeadlockProbes.Chase(_kernel, frame.Partner, frame.Caller, frame.Correlation, hops: 0);
    }

    private void RunDeferred(GhostPort ghost)
    {
        IpcFrame? next;
        lock (ghost.Gate)
        {
            next = ghost.Deferred;
            ghost.Deferred = null;
        }
        if (next is { } frame) CallFor(in frame);
    }

    private GhostPort? GhostOfCaller(in IpcFrame frame)
    {
        var caller = frame.Caller;
        if (_ghosts.Find(caller, _link) is { } known) return known;
        var owner = _partition.OwnerOf(caller.Slot);
        if (caller.IsSpecial || (owner is { } o && o != _link.NodeId)
            || _ghosts.Ensure(caller, owner: null, _link, listed: false) is not { } made)
        {
            _log.Warning("node {0} called for {1}, which is not its endpoint here: {2}", _link.NodeId, caller, frame);
            if (frame.Kind != FrameKind.Notify)
                _link.Answer(new IpcFrame(Answer(frame.Kind), frame.Correlation, caller, frame.Partner,
                    IpcStatus.BadEndpoint, default));
            return null;
        }
        return made;
    }

    // The caller gave up call frame.Correlation on its node and waits for this node's word (two-phase cancel): if
    // that call still waits here (deferred, queued, or a sendrec waiting for its reply), withdraw it and answer
    // TimedOut, so a timed-out send is never delivered; a sendrec whose request the server took leaves the §12.1
    // debt on the ghost. If it already ended, its answer (the "taken" outcome) is on its way and decides.
    private void Withdraw(in IpcFrame frame)
    {
        if (_ghosts.Find(frame.Caller, _link) is not { } ghost) return;
        IpcFrame? withdrawn = null;
        lock (ghost.Gate)
        {
            if (ghost.Deferred is { } deferred && deferred.Correlation == frame.Correlation)
            {
                ghost.Deferred = null;      // it never started here
                withdrawn = new IpcFrame(Answer(deferred.Kind), deferred.Correlation, deferred.Caller, deferred.Partner,
                    IpcStatus.TimedOut, default);
            }
            else if (ghost is { InCall: true } && ghost.Correlation == frame.Correlation
                     && _kernel.Abort(ghost.Proc, ghost.KernelSeq, IpcStatus.TimedOut))
            {
                ghost.EndCall();
                withdrawn = ghost.Answer(IpcStatus.TimedOut, default);
            }
        }
        if (withdrawn is { } w) _link.Answer(in w);
    }

    private static FrameKind Answer(FrameKind request) => request == FrameKind.SendRec ? FrameKind.Reply : FrameKind.Ack;

    private void FailAll()
    {
        _link.Shipper.Forget();
        foreach (var ghost in _ghosts.Of(_link)) _kernel.FailCallers(ghost.Proc, IpcStatus.NotConnected);
    }
}
