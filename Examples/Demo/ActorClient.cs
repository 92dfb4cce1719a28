using Akka.Actor;

namespace M3Actors.Examples.Demo;

/// <summary>
/// A client that is an actor: the same lookup-then-read as <see cref="TaskClient"/>, but each sendrec suspends the
/// actor and the reply arrives in <see cref="OnReply"/>, so the two steps are a tiny state machine instead of two
/// blocking calls. Ordinary Akka messages (the <see cref="Read"/> command) start it.
/// </summary>
public sealed class ActorClient : EndpointActor
{
    private readonly byte[] _buffer = new byte[DiskImage.BlockSize];
    private int _bufferId;
    private IActorRef _asker = ActorRefs.Nobody;
    private int _block;
    private bool _looking;      // true while the pm lookup is under way, false while the fs read is

    /// <summary>Read this block and answer the sender with a <see cref="ReadResult"/>.</summary>
    public sealed record Read(int Block);

    protected override void PreStart()
    {
        base.PreStart();
        _bufferId = RegisterBuffer(_buffer, BufferAccess.Write);
    }

    // Nobody sends this client IPC requests; it only makes calls.
    protected override void OnMessage(in Message m)
    {
    }

    protected override void OnCommand(object message)
    {
        if (message is not Read read)
        {
            Unhandled(message);
            return;
        }
        (_asker, _block, _looking) = (Sender, read.Block, true);
        Expect(SendRec(Protocol.Pm, Protocol.Named(Protocol.PmLookup, "fs"), TimeSpan.FromSeconds(5)));
    }

    protected override void OnReply(IpcStatus status, in Message reply)
    {
        if (status == IpcStatus.Ok && reply.Type != (int)IpcStatus.Ok) status = (IpcStatus)reply.Type;
        if (status != IpcStatus.Ok)
        {
            Finish(new ReadResult(Endpoint, _block, status, 0, false));
        }
        else if (_looking)
        {
            _looking = false;
            var m = new Message(Protocol.FsRead);
            m.SetInt(0, _block);
            m.SetInt(1, _bufferId);
            Expect(SendRec(new Endpoint(reply.GetInt(0)), in m, TimeSpan.FromSeconds(5)));
        }
        else
        {
            Finish(ReadResult.Verify(Endpoint, _block, in reply, _buffer));
        }
    }

    // Suspended is the normal answer (the outcome comes later); anything else failed at once.
    private void Expect(IpcStatus status)
    {
        if (status != IpcStatus.Suspended) Finish(new ReadResult(Endpoint, _block, status, 0, false));
    }

    private void Finish(ReadResult result) => _asker.Tell(result);
}
