using System.Text;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>
/// VFS, the file server: open, read, write, close, stat and getdents by sendrec. Names and data move by vcopy
/// between the caller's buffer and VFS's own; file contents live on the disk, one block per driver request. A read
/// or write the disk must serve is a deferred reply: VFS keeps the caller waiting in its sendrec, sendrecs the
/// driver block by block, and replies once. If the driver dies under a request, VFS parks it, receives only from
/// RS until RS notifies that the driver is back on the same endpoint, and re-issues the request — so the caller
/// never sees the crash. Clients queue in the kernel meanwhile.
/// </summary>
public sealed class VfsServer(int deviceBlocks, MinixTrace? trace = null) : MinixServer(VfsSlot)
{
    private readonly FileTable _files = new(deviceBlocks);
    private readonly byte[] _block = new byte[BlockSize];  // every disk transfer goes through this block buffer
    private readonly byte[] _names = new byte[4096];       // paths copied in, directory entries copied out
    private int _blockBuffer, _namesBuffer;
    // The transfer in progress: the caller waits in sendrec for our reply while we talk to the disk.
    private Endpoint _caller = Endpoint.None;
    private int _fd, _userBuffer, _count, _done;
    private bool _write;
    private FileTable.Step _step;
    private Message _diskRequest;
    private bool _parked;   // the driver died under _diskRequest; re-issue it when RS says the driver is back

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        _blockBuffer = RegisterBuffer(_block, BufferAccess.ReadWrite);
        _namesBuffer = RegisterBuffer(_names, BufferAccess.ReadWrite);
    }

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        if (m.IsNotify)
        {
            // RS notifies when a driver we depend on is up again; any other time the notify finds nothing parked.
            if (m.Source == Rs && _parked) IssueDisk();
            return;
        }
        CrashIfArmed($"serving request {m.Type} from {m.Source}");
        if (m.Type is VfsRead or VfsWrite && _files.IsOpen(m.GetInt(0)) && m.GetInt(2) >= 0)
        {
            (_caller, _write, _fd, _userBuffer, _count, _done) =
                (m.Source, m.Type == VfsWrite, m.GetInt(0), m.GetInt(1), m.GetInt(2), 0);
            NextStep();
            return;
        }
        // Everything else is answered at once. A reply never blocks; one to a caller that died meanwhile fails, and
        // there is nobody left to tell.
        Reply(m.Source, Result(m.Type switch
        {
            VfsOpen => CopyPathIn(in m, out var path) ?? _files.Open(path, m.GetInt(2)),
            VfsStat => CopyPathIn(in m, out var name) ?? _files.Stat(name),
            VfsClose => _files.Close(m.GetInt(0)),
            VfsGetDents => GetDents(in m),
            VfsRead or VfsWrite => _files.IsOpen(m.GetInt(0)) ? Invalid : BadFd,
            _ => NoSys,
        }));
    }

    /// <inheritdoc />
    protected override void OnReply(IpcStatus status, in Message reply)
    {
        if (status is IpcStatus.SrcDied or IpcStatus.DstDied or IpcStatus.DeadSrcDst)
        {
            // The driver died with our request queued or taken, or is not back yet: wait for RS, nothing else.
            _parked = true;
            ReceiveFrom(Rs);
            return;
        }
        _parked = false;
        if (status != IpcStatus.Ok || reply.Type != Ok) Finish(IoError);
        else if (_diskRequest.Type == BdevWrite) Advance();
        else if (!_write) CopyOut();
        else WriteBlock();       // read-modify-write: the rest of the block is now in _block
    }

    // Plans the next block of the transfer, or replies when it is complete (or hit end of file or an error).
    private void NextStep()
    {
        var status = _done == _count ? Ok : _files.Plan(_fd, _write, _count - _done, out _step);
        if (status != Ok || _done == _count || _step.Length == 0) Finish(_done > 0 ? Ok : status);
        else if (!_write || (!_step.Fresh && _step.Length < BlockSize)) ToDisk(BdevRead);
        else
        {
            if (_step.Length < BlockSize) Array.Clear(_block);     // a fresh block's tail must read back as zeros
            WriteBlock();
        }
    }

    private void WriteBlock()
    {
        var from = new BufferAddress(_userBuffer, _done);
        var status = VCopy(_caller, from, Endpoint.Self, new BufferAddress(_blockBuffer, _step.Offset), _step.Length);
        if (status == IpcStatus.Ok) ToDisk(BdevWrite);
        else Finish((int)status);
    }

    private void CopyOut()
    {
        var to = new BufferAddress(_userBuffer, _done);
        var status = VCopy(Endpoint.Self, new BufferAddress(_blockBuffer, _step.Offset), _caller, to, _step.Length);
        if (trace?.IsRecording == true)
            trace.Note("vfs", "shell", MinixTrace.TraceKind.Copy, $"vcopy {_step.Length} B → shell buffer at {_done}");
        if (status == IpcStatus.Ok) Advance();
        else Finish((int)status);
    }

    private void Advance()
    {
        _files.Advance(_fd, _step.Length);
        _done += _step.Length;
        NextStep();
    }

    private void ToDisk(int type)
    {
        _diskRequest = Request(type, _step.Block, _blockBuffer);
        IssueDisk();
    }

    private void IssueDisk()
    {
        if (trace?.IsRecording == true)
            trace.Note("vfs", "disk", MinixTrace.TraceKind.Call,
                $"sendrec {(_diskRequest.Type == BdevRead ? "BDEV_READ" : "BDEV_WRITE")} block {_step.Block}");
        var status = SendRec(Disk, in _diskRequest);
        if (status != IpcStatus.Suspended) OnReply(status, default);
    }

    private void Finish(int status)
    {
        if (trace?.IsRecording == true)
            trace.Note("vfs", "shell", MinixTrace.TraceKind.Reply, $"{Describe(status)}, {_done} B");
        Reply(_caller, Result(status < 0 ? status : _done));
        _caller = Endpoint.None;
    }

    // The caller is blocked in its sendrec, so it cannot be hurt by the copy; a dead or wrong buffer fails the vcopy.
    private int? CopyPathIn(in Message m, out string path)
    {
        path = "";
        var length = m.GetInt(1);
        if (length <= 0 || length > 255) return Invalid;
        var from = new BufferAddress(m.GetInt(0));
        var status = VCopy(m.Source, from, Endpoint.Self, new BufferAddress(_namesBuffer), length);
        if (status != IpcStatus.Ok) return (int)status;
        path = Encoding.UTF8.GetString(_names, 0, length);
        return null;
    }

    private int GetDents(in Message m)
    {
        var length = 0;
        foreach (var name in _files.Names)
        {
            var bytes = Encoding.UTF8.GetByteCount(name) + 1;
            if (length + bytes > Math.Min(m.GetInt(1), _names.Length)) break;     // whole entries only
            length += Encoding.UTF8.GetBytes(name + "\n", _names.AsSpan(length));
        }
        var to = new BufferAddress(m.GetInt(0));
        var status = VCopy(Endpoint.Self, new BufferAddress(_namesBuffer), m.Source, to, length);
        return status == IpcStatus.Ok ? length : (int)status;
    }
}
