namespace M3Actors.Examples.Demo;

/// <summary>
/// An "fs"-like file server on a well-known system slot. It registers its name with pm at start, serves block reads
/// by vcopy straight from its registered disk image into the caller's registered buffer, counts clock ticks (which
/// arrive as notifications), and flushes to the disk driver on request.
/// </summary>
public sealed class FsServer(TaskCompletionSource<IpcStatus> registered) : EndpointActor(Protocol.FsSlot)
{
    private readonly byte[] _image = DiskImage.Build();
    private int _imageBuffer;
    private Endpoint _syncCaller = Endpoint.None;   // the client waiting for a flush, while fs waits for the disk
    private int _ticks;
    private int _reads;

    protected override void PreStart()
    {
        base.PreStart();    // binds the endpoint; nothing IPC may happen before this
        // Read-only: clients may copy from the image, never into it.
        _imageBuffer = RegisterBuffer(_image, BufferAccess.Read);
        // sendrec from an actor suspends it: the reply comes back in OnReply, and until then the rendezvous mailbox
        // hands the actor nothing else — no requests, no clock ticks.
        var status = SendRec(Protocol.Pm, Protocol.Named(Protocol.PmRegister, "fs"));
        if (status != IpcStatus.Suspended) registered.TrySetResult(status);
    }

    protected override void OnMessage(in Message m)
    {
        if (m.IsNotify)
        {
            // However many ticks the clock sent while fs was busy, they arrive here once: one pending bit per notifier.
            if (m.Source == Endpoint.System(Protocol.ClockSlot)) _ticks++;
            return;
        }
        switch (m.Type)
        {
            case Protocol.FsRead: ServeRead(in m); break;
            case Protocol.FsSync: StartSync(m.Source); break;
            case Protocol.FsStat:
                var stat = new Message((int)IpcStatus.Ok);
                stat.SetInt(0, _ticks);
                stat.SetInt(1, _reads);
                Reply(m.Source, in stat);
                break;
            default:
                Reply(m.Source, new Message((int)IpcStatus.BadSrcDst));
                break;
        }
    }

    protected override void OnReply(IpcStatus status, in Message reply)
    {
        if (_syncCaller == Endpoint.None)
        {
            // The only other sendrec fs makes is its registration with pm.
            registered.TrySetResult(status == IpcStatus.Ok ? (IpcStatus)reply.Type : status);
            return;
        }
        // The disk answered (or died): pass the outcome to the client still waiting in its sendrec to fs.
        var done = new Message(status == IpcStatus.Ok ? reply.Type : (int)status);
        Reply(_syncCaller, in done);
        _syncCaller = Endpoint.None;
    }

    // The caller is blocked in sendrec waiting for our reply — the one state in which the rulebook lets a server
    // vcopy into its buffer. The bytes go from our image to its buffer in one copy, inside the kernel.
    private void ServeRead(in Message m)
    {
        var block = m.GetInt(0);
        var reply = new Message((int)IpcStatus.Ok);
        if (block is < 0 or >= DiskImage.Blocks)
        {
            reply.Type = (int)IpcStatus.Range;
        }
        else
        {
            var from = new BufferAddress(_imageBuffer, block * DiskImage.BlockSize);
            var status = VCopy(Endpoint.Self, from, m.Source, new BufferAddress(m.GetInt(1)), DiskImage.BlockSize);
            reply.Type = (int)status;
            if (status == IpcStatus.Ok)
            {
                _reads++;
                reply.SetInt(0, DiskImage.BlockSize);
                reply.SetInt(1, (int)DiskImage.Checksum(_image.AsSpan(block * DiskImage.BlockSize, DiskImage.BlockSize)));
            }
        }
        Reply(m.Source, in reply);
    }

    // A flush needs the disk driver: fs sendrecs to it and stays blocked until it answers, while the client stays
    // blocked on fs. Clock ticks meanwhile stay pending (a sendrec caller is never interrupted by a notification).
    private void StartSync(Endpoint caller)
    {
        var status = SendRec(Protocol.Disk, new Message(Protocol.DiskWrite));
        if (status == IpcStatus.Suspended) _syncCaller = caller;
        else Reply(caller, new Message((int)status));
    }
}
