using Akka.Actor;
using M3Actors.ClusterBridge.Frames;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// The frames waiting to go to one peer node, encoded into one reused buffer and sent as a single
/// <see cref="FrameBatch"/>, so Akka.Remote's envelope (~81 bytes) is paid per batch instead of per frame. The first
/// frame of a batch asks the local node proxy to flush (one cached token); every frame added before the proxy gets
/// to it joins the batch. So a lone call goes out after one local hop, and under load the batch grows by itself. A
/// batch that reaches <see cref="FlushBytes"/> goes at once. Frames leave in the order they were added: sending
/// happens under the same lock (Akka's Tell only enqueues), and Akka.Remote keeps the order per connection.
/// </summary>
internal sealed class FrameOutbox
{
    /// <summary>A batch this large (~260 sendrec frames) is sent without waiting for the flush.</summary>
    internal const int FlushBytes = 16 * 1024;

    private readonly Lock _gate = new();
    private readonly byte[] _buffer = new byte[FlushBytes + FrameCodec.MaxFrameSize];
    private int _length = 1;        // the version byte is always there
    private bool _flushAsked;

    internal FrameOutbox() => _buffer[0] = FrameCodec.Version;

    /// <summary>Tells the node proxy to send the batch (<see cref="Flush"/>): one instance, so it allocates nothing.</summary>
    internal sealed class FlushToken
    {
        internal static readonly FlushToken Instance = new();

        private FlushToken() { }
    }

    /// <summary>
    /// Adds <paramref name="frame"/> for <paramref name="remote"/>; <paramref name="proxy"/> will flush, unless
    /// <paramref name="flushNow"/> sends the batch at once (then a flush token already asked finds it sent).
    /// </summary>
    internal void Add(in IpcFrame frame, IActorRef remote, IActorRef proxy, bool flushNow = false)
    {
        lock (_gate)
        {
            FrameCodec.Write(in frame, _buffer, ref _length);
            if (flushNow || _length >= FlushBytes) SendLocked(remote);
            else if (!_flushAsked)
            {
                _flushAsked = true;
                proxy.Tell(FlushToken.Instance, ActorRefs.NoSender);
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="batch"/>, a whole batch of its own (a vcopy chunk, too large to share the buffer), right
    /// after the frames added before it: the order of frames to the peer holds.
    /// </summary>
    internal void AddBatch(byte[] batch, IActorRef remote)
    {
        lock (_gate)
        {
            SendLocked(remote);
            remote.Tell(new FrameBatch(batch), ActorRefs.NoSender);
        }
    }

    /// <summary>Sends what is waiting, if anything (the node proxy, on its flush token).</summary>
    internal void Flush(IActorRef? remote)
    {
        lock (_gate)
        {
            _flushAsked = false;
            if (remote is not null) SendLocked(remote);
        }
    }

    // One array per batch: Akka's serializer API takes a byte[] it may keep until the transport has written it.
    private void SendLocked(IActorRef remote)
    {
        if (_length == 1) return;
        var batch = new FrameBatch(_buffer.AsSpan(0, _length).ToArray());
        _length = 1;
        remote.Tell(batch, ActorRefs.NoSender);     // no sender path on the wire: nobody answers to it
    }
}
