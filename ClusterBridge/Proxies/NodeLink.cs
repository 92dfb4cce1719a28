using System.Collections.Concurrent;
using Akka.Actor;
using M3Actors.ClusterBridge.Frames;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// This node's view of one peer node of the VM: the local proxy actor for it, the peer's proxy for this node (known
/// once the peer is a member), and whether Akka's failure detector currently reaches it. Read from any thread.
/// </summary>
internal sealed class NodeLink
{
    private volatile IActorRef? _remote;
    private volatile bool _reachable;
    private readonly ConcurrentDictionary<int, SendNbWait> _sendNbs = new();
    private readonly FrameOutbox _outbox = new();
    private int _callsUnderWay;

    internal NodeLink(int nodeId, IpcKernel kernel)
    {
        NodeId = nodeId;
        Shipper = new Shipper(kernel, this);
    }

    /// <summary>The peer's DRVS node id.</summary>
    internal int NodeId { get; }

    /// <summary>Ships the calls queued on the peer's ghosts.</summary>
    internal Shipper Shipper { get; }

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

    /// <summary>The peer is unreachable, or gone: a sendnb waiting for its answer returns NotConnected.</summary>
    internal void Disconnect()
    {
        _reachable = false;
        FailSendNbs(IpcStatus.NotConnected);
    }

    /// <summary>
    /// The waiter for sendnb calls of local <paramref name="caller"/> to this peer's ghosts (made on its first sendnb,
    /// then reused: one per endpoint slot).
    /// </summary>
    internal SendNbWait SendNbOf(Endpoint caller) => _sendNbs.GetOrAdd(caller.Slot, static _ => new SendNbWait());

    /// <summary>Completes the sendnb <paramref name="answer"/> answers; false when none waits for it.</summary>
    internal bool AnswerSendNb(in IpcFrame answer) =>
        _sendNbs.TryGetValue(answer.Caller.Slot, out var wait) && wait.Answer(answer.Correlation, answer.Status);

    /// <summary>Ends every sendnb waiting for this peer with <paramref name="status"/>.</summary>
    internal void FailSendNbs(IpcStatus status)
    {
        foreach (var wait in _sendNbs.Values) wait.Fail(status);
    }

    /// <summary>The failure detector reaches the peer again.</summary>
    internal void Reconnect() => _reachable = _remote is not null;

    /// <summary>
    /// Queues a frame for the peer's proxy, in the batch the local proxy flushes next (<see cref="FrameOutbox"/>);
    /// false when the peer is not connected (the frame is dropped). With <paramref name="flushNow"/> the batch goes at
    /// once from the calling thread.
    /// </summary>
    internal bool Send(in IpcFrame frame, bool flushNow = false)
    {
        if (!_reachable || _remote is not { } remote) return false;
        _outbox.Add(in frame, remote, Proxy, flushNow);
        return true;
    }

    /// <summary>
    /// Sends <paramref name="batch"/> (one vcopy chunk) after the frames queued so far; false when the peer is not
    /// connected (the batch is dropped).
    /// </summary>
    internal bool SendBatch(byte[] batch)
    {
        if (!_reachable || _remote is not { } remote) return false;
        _outbox.AddBatch(batch, remote);
        return true;
    }

    /// <summary>
    /// Queues the answer (ACK or REPLY) to a call the peer made here. Unlike a request it goes while the peer is
    /// unreachable too: unreachability is this node's verdict, the peer may still see us and wait for the answer (a
    /// dropped answer would leave its caller blocked); if the peer is really gone, Akka.Remote drops it. With
    /// <paramref name="flushNow"/>, the batch goes at once from the calling thread instead of after the flush token's
    /// hop through the local proxy.
    /// </summary>
    internal void Answer(in IpcFrame frame, bool flushNow = false)
    {
        if (_remote is { } remote) _outbox.Add(in frame, remote, Proxy, flushNow);
    }

    /// <summary>The peer's caller has one more call under way here (made through its ghost).</summary>
    internal void CallStarted() => Interlocked.Increment(ref _callsUnderWay);

    /// <summary>A call the peer made here has ended; true when none is under way any more.</summary>
    internal bool CallEnded() => Interlocked.Decrement(ref _callsUnderWay) == 0;

    /// <summary>Sends the frames queued for the peer as one batch (the local proxy, on its flush token).</summary>
    internal void Flush() => _outbox.Flush(_remote);
}
