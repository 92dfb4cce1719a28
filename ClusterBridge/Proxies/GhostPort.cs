using Akka.Actor;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// The port of a ghost (an endpoint hosted on another node). The kernel calls it outside its locks.
/// <see cref="Pending"/> means local calls wait to be shipped to the owner node: it tells the node's proxy (one
/// cached token, so no wakeup allocates). <see cref="Completed"/> means the call the proxy made on the remote owner's
/// behalf has ended: its answer goes back from the completing thread, joining the peer's next batch (or, for the
/// peer's last call under way, sent at once), without a hop through the proxy.
/// </summary>
internal sealed class GhostPort : IpcKernel.IGhostPort
{
    private int _shipScheduled;

    internal GhostPort(NodeLink link)
    {
        Link = link;
        ShipToken = new Ship(this);
        DoneToken = new Done(this);
    }

    /// <summary>The ghost's node.</summary>
    internal NodeLink Link { get; }

    /// <summary>The ghost's proc, set right after its bind.</summary>
    internal Proc Proc { get; set; } = null!;

    /// <summary>True once the directory has listed the ghost (a ghost made for a frame's caller starts false).</summary>
    internal bool Listed { get; set; }

    /// <inheritdoc />
    public string Owner { get; set; } = "";

    /// <summary>
    /// Guards the call state below between the proxy (which starts and withdraws calls, holding it across the kernel
    /// call) and <see cref="Completed"/> (which answers): an answer always carries the correlation id of the call
    /// that ended, and the ghost's outcome is read before another call can start.
    /// </summary>
    internal readonly Lock Gate = new();

    // The call under way on the remote owner's behalf: its correlation id, its kind, the local partner it names, and
    // the ghost's kernel call sequence (to withdraw it if it is abandoned).
    internal bool InCall { get; private set; }
    internal long Correlation;
    internal IpcCalls Call;
    internal Endpoint Partner;
    internal long KernelSeq;
    // A frame that arrived while the previous call's completion was on its way: run once that is answered.
    internal Frames.IpcFrame? Deferred;

    /// <summary>A call on the remote owner's behalf is under way through the ghost. Holds <see cref="Gate"/>.</summary>
    internal void StartCall()
    {
        InCall = true;
        Link.CallStarted();
    }

    /// <summary>
    /// The call under way has ended (answered or withdrawn); true when it was the last call under way from the peer.
    /// Holds <see cref="Gate"/>.
    /// </summary>
    internal bool EndCall()
    {
        InCall = false;
        return Link.CallEnded();
    }

    /// <inheritdoc />
    public int NodeId => Link.NodeId;

    /// <inheritdoc />
    public void Completed()
    {
        Frames.IpcFrame? answer;
        bool deferred, last;
        lock (Gate)
        {
            if (!InCall) return;
            last = EndCall();
            var status = Proc.Result;
            // The VM is ending here: the peer hears NotConnected when this node leaves, not a status of our teardown.
            answer = status == IpcStatus.VmNotRunning ? null : Answer(status, status == IpcStatus.Ok ? Proc.Msg : default);
            deferred = Deferred is not null;
        }
        // The peer's last call here: no other answer can join its batch before a new request comes (which the
        // proxy flushes itself), so it goes now rather than after the flush token's hop through the proxy.
        if (answer is { } a) Link.Answer(in a, flushNow: last);
        if (deferred) Link.Proxy.Tell(DoneToken, ActorRefs.NoSender);     // the proxy runs the waiting frame
    }

    /// <summary>The answer to the call under way (ACK for send, REPLY for sendrec). Holds <see cref="Gate"/>.</summary>
    internal Frames.IpcFrame Answer(IpcStatus status, in Message message)
    {
        var kind = Call == IpcCalls.SendRec ? Frames.FrameKind.Reply : Frames.FrameKind.Ack;
        return new Frames.IpcFrame(kind, Correlation, Proc.Ep, Partner, status, in message);
    }

    /// <inheritdoc />
    public void Pending()
    {
        // A lone call goes from the caller's thread; with others awaiting answers, the proxy ships and batches.
        if (Link.Shipper.Idle) Link.Shipper.Ship(this, flushNow: true);
        else if (Interlocked.Exchange(ref _shipScheduled, 1) == 0) Link.Proxy.Tell(ShipToken, ActorRefs.NoSender);
    }

    /// <inheritdoc />
    public IpcStatus SendNb(Endpoint caller, in Message m)
    {
        var wait = Link.SendNbOf(caller);
        var correlation = wait.Begin();
        // Begun before the send: a disconnect from now on fails it, so the wait below always ends.
        if (!Link.Send(new Frames.IpcFrame(Frames.FrameKind.SendNb, correlation, caller, Proc.Ep, IpcStatus.Ok, in m)))
            wait.Fail(IpcStatus.NotConnected);
        return wait.Wait();
    }

    /// <inheritdoc />
    public void Abandoned(Endpoint caller, long correlation) =>
        Link.Proxy.Tell(new Abandon(this, caller, correlation), ActorRefs.NoSender);

    /// <inheritdoc />
    public void Probe(Endpoint initiator, long correlation) =>
        DeadlockProbes.Send(Link, Proc.Ep, initiator, correlation, hops: 1);

    /// <summary>The proxy is about to take what is queued: later work schedules it again.</summary>
    internal void ShipStarted() => Volatile.Write(ref _shipScheduled, 0);

    internal Ship ShipToken { get; }

    internal Done DoneToken { get; }

    /// <summary>Calls wait on the ghost: ship them.</summary>
    internal sealed record Ship(GhostPort Port);

    /// <summary>The answer to the previous call went back: run the frame that waited for it.</summary>
    internal sealed record Done(GhostPort Port);

    /// <summary>A local caller gave up a call to this ghost: withdraw it on the owner node if it is still there.</summary>
    internal sealed record Abandon(GhostPort Port, Endpoint Caller, long Correlation);
}
