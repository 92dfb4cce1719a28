using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>
/// The disk driver: serves BDEV_READ and BDEV_WRITE on the disk slot by vcopy between the device (its registered
/// buffer) and the caller's buffer — the caller is blocked in its sendrec, the one state in which a server may copy
/// to or from it. It keeps no state a crash could lose: the device is the machine's, and a request in flight is the
/// caller's to re-issue. Told <see cref="CrashOnNextRequest"/>, it crashes half-way through the next transfer, which
/// leaves a torn block for the re-issued request to overwrite.
/// </summary>
public sealed class DiskDriver(BlockDevice device, MinixTrace? trace = null) : MinixServer(DiskSlot)
{
    private int _deviceBuffer;

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        _deviceBuffer = RegisterBuffer(device.Bytes, BufferAccess.ReadWrite);
    }

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        // Drivers take no notifications here: RS watches them through Akka supervision, not by pinging them.
        if (m.IsNotify) return;
        var status = m.Type is BdevRead or BdevWrite ? Transfer(in m) : NoSys;
        // The caller may have died while we copied; it then waits for nothing, and the reply's failure is moot.
        Reply(m.Source, Answer(status, status == Ok ? BlockSize : 0));
        if (trace?.IsRecording == true) trace.Note("disk", "vfs", MinixTrace.TraceKind.Reply, Describe(status));
    }

    private int Transfer(in Message m)
    {
        var block = m.GetInt(0);
        if (block < 0 || block >= device.Blocks) return Invalid;
        var disk = new BufferAddress(_deviceBuffer, block * BlockSize);
        var caller = new BufferAddress(m.GetInt(1), m.GetInt(2));
        var read = m.Type == BdevRead;
        var bytes = IsCrashArmed ? BlockSize / 2 : BlockSize;
        var status = read ? VCopy(Endpoint.Self, disk, m.Source, caller, bytes)
                          : VCopy(m.Source, caller, Endpoint.Self, disk, bytes);
        CrashIfArmed($"half-way through {(read ? "BDEV_READ" : "BDEV_WRITE")} of block {block}");
        if (trace?.IsRecording == true && read)
            trace.Note("disk", "vfs", MinixTrace.TraceKind.Copy, $"vcopy block {block} ({bytes} B) → vfs buffer");
        return status == IpcStatus.Ok ? Ok : IoError;
    }
}
