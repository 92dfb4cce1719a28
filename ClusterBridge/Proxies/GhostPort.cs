using Akka.Actor;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// The port of a ghost (an endpoint hosted on another node). The kernel calls it outside its locks; it only tells
/// the node's proxy, which does the work on its own thread: <see cref="Pending"/> means local calls wait to be
/// shipped to the owner node, <see cref="Completed"/> that the call the proxy made on the remote owner's behalf has
/// ended and its answer must go back. Each uses one cached token, so no wakeup allocates.
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

    // The call under way on the remote owner's behalf (touched only by the proxy's thread): its correlation id, its
    // kind, the local partner it names, and the ghost's kernel call sequence (to withdraw it if it is abandoned).
    internal bool InCall;
    internal long Correlation;
    internal IpcCalls Call;
    internal Endpoint Partner;
    internal long KernelSeq;
    // A frame that arrived while the previous call's completion was on its way: run once that is answered.
    internal Frames.IpcFrame? Deferred;

    /// <inheritdoc />
    public int NodeId => Link.NodeId;

    /// <inheritdoc />
    public void Completed() => Link.Proxy.Tell(DoneToken, ActorRefs.NoSender);

    /// <inheritdoc />
    public void Pending()
    {
        if (Interlocked.Exchange(ref _shipScheduled, 1) == 0) Link.Proxy.Tell(ShipToken, ActorRefs.NoSender);
    }

    /// <inheritdoc />
    public void Abandoned(Endpoint caller, long correlation) =>
        Link.Proxy.Tell(new Abandon(this, caller, correlation), ActorRefs.NoSender);

    /// <summary>The proxy is about to take what is queued: later work schedules it again.</summary>
    internal void ShipStarted() => Volatile.Write(ref _shipScheduled, 0);

    internal Ship ShipToken { get; }

    internal Done DoneToken { get; }

    /// <summary>Calls wait on the ghost: ship them.</summary>
    internal sealed record Ship(GhostPort Port);

    /// <summary>The call made on the remote owner's behalf ended: answer it.</summary>
    internal sealed record Done(GhostPort Port);

    /// <summary>A local caller gave up a call to this ghost: withdraw it on the owner node if it is still there.</summary>
    internal sealed record Abandon(GhostPort Port, Endpoint Caller, long Correlation);
}
