using Akka.Event;
using M3Actors.ClusterBridge.Directory;
using M3Actors.ClusterBridge.Frames;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// The peer node's frames as this node handles them: its callers' calls are made here through their ghosts, the
/// answers to this node's shipped calls complete exactly those calls, CANCEL withdraws an abandoned call, PROBE chases
/// a deadlock, copy frames go to the copy engine. It runs on the thread that delivers the batch
/// (<see cref="InboundRef"/>: Akka.Remote's endpoint reader), and on the node proxy for a deferred frame; one
/// <see cref="Gate"/> per peer keeps the frames in their order and one at a time, as a mailbox did.
/// </summary>
internal sealed class InboundFrames(IpcKernel kernel, NodeLink link, GhostTable ghosts, SlotPartition partition,
    Copies.CopyEngine copies, ILoggingAdapter log)
{
    private readonly IpcKernel _kernel = kernel;
    private readonly NodeLink _link = link;
    private readonly GhostTable _ghosts = ghosts;
    private readonly SlotPartition _partition = partition;
    private readonly Copies.CopyEngine _copies = copies;
    private readonly ILoggingAdapter _log = log;

    /// <summary>Held while a frame of the peer is handled (and while its calls are failed for unreachability).</summary>
    internal readonly Lock Gate = new();

    /// <summary>
    /// A batch from the peer, on Akka.Remote's endpoint reader thread. The serializer checked every frame of it on
    /// arrival, so decoding again here cannot fail. A failure of the handling is logged: the reader must go on
    /// with the peer's next batch (an exception here would end the association with the peer).
    /// </summary>
    internal void Arrived(FrameBatch batch)
    {
        try
        {
            lock (Gate)
            {
                var bytes = batch.Bytes;
                for (var at = 1; at < bytes.Length;)
                {
                    var frame = FrameCodec.Read(bytes, ref at);
                    if (CopyFrames.IsCopy(frame.Kind)) _copies.OnFrame(_link, in frame, bytes, at);
                    else OnFrame(in frame);
                }
            }
            _link.Flush();      // the answers decided at once (and those the calls' servers gave meanwhile)
        }
        catch (Exception e)
        {
            _log.Error(e, "a batch from node {0} was not fully handled", _link.NodeId);
        }
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

    /// <summary>The answer to <paramref name="ghost"/>'s previous call went back: run the frame that waited for it
    /// (the node proxy, on the ghost's <see cref="GhostPort.Done"/>).</summary>
    internal void RunDeferred(GhostPort ghost)
    {
        lock (Gate)
        {
            IpcFrame? next;
            lock (ghost.Gate)
            {
                next = ghost.Deferred;
                ghost.Deferred = null;
            }
            if (next is { } frame) CallFor(in frame);
        }
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
}
