namespace M3Actors;

/// <summary>
/// Result of an IPC or lifecycle call. The values are M3-IPC's (negative = error), so logs read the same as the seed's.
/// </summary>
public enum IpcStatus
{
    /// <summary>Success.</summary>
    Ok = 0,
    /// <summary>The call would block and the caller asked not to wait (timeout 0).</summary>
    Again = -11,
    /// <summary>The endpoint is already inside another call or copy, or no free slot is left.</summary>
    Busy = -16,
    /// <summary>A slot number, copy length or buffer bound is out of range.</summary>
    Range = -34,
    /// <summary>The timeout of a timed call elapsed.</summary>
    TimedOut = -61,
    /// <summary>The node that hosts the partner was lost.</summary>
    NotConnected = -64,
    /// <summary>The call would close a cycle of blocked endpoints (deadlock); nothing changed.</summary>
    Locked = -101,
    /// <summary>ANY/NONE used where not allowed, or a value that is not an endpoint.</summary>
    BadSrcDst = -103,
    /// <summary>The caller's privileges do not allow this destination, or a buffer's access mode forbids the copy.</summary>
    CallDenied = -104,
    /// <summary>The partner endpoint is not alive.</summary>
    DeadSrcDst = -105,
    /// <summary>Non-blocking send and the receiver is not waiting for the caller.</summary>
    NotReady = -106,
    /// <summary>A message whose <see cref="Message.Type"/> is reserved by the IPC layer (NOTIFY) was passed to a send or reply.</summary>
    BadRequest = -107,
    /// <summary>The source we receive from (or wait for a reply from) ended.</summary>
    SrcDied = -108,
    /// <summary>The destination we send to ended.</summary>
    DstDied = -109,
    /// <summary>The caller's call mask does not allow this primitive.</summary>
    TrapDenied = -110,
    /// <summary>Unknown node.</summary>
    BadNodeId = -301,
    /// <summary>Unknown VM, or a VM id already in use.</summary>
    BadVmId = -302,
    /// <summary>The VM has ended or has not started.</summary>
    VmNotRunning = -303,
    /// <summary>Stale endpoint (generation mismatch), or the caller itself named as partner.</summary>
    BadEndpoint = -306,
    /// <summary>The caller holds no bound endpoint.</summary>
    NotBound = -310,
    /// <summary>The partner is not in the state the call needs (reply, vcopy).</summary>
    ProcState = -324,
    /// <summary>The DRVS is already initialised.</summary>
    DrvsBusy = -317,
    /// <summary>The DRVS is not initialised (or has ended).</summary>
    DrvsInit = -318,
    /// <summary>Bind to a slot that is already bound.</summary>
    SlotUsed = -337,
    /// <summary>VM or DRVS parameters out of range.</summary>
    BadRange = -338,
    /// <summary>
    /// Minix's SUSPEND: an actor endpoint's call is under way and the actor is now blocked; its outcome arrives as a
    /// callback (<c>OnReply</c> / <c>OnSendDone</c>). Thread handles never see it: they wait instead.
    /// </summary>
    Suspended = -998,
}

/// <summary>Text for <see cref="IpcStatus"/> values.</summary>
public static class StatusText
{
    /// <summary>A one-line explanation of <paramref name="status"/>, for logs and exception messages.</summary>
    public static string Describe(this IpcStatus status) => status switch
    {
        IpcStatus.Ok => "success",
        IpcStatus.Again => "the call would block and no wait was allowed",
        IpcStatus.Busy => "the endpoint is busy in another call or no slot is free",
        IpcStatus.Range => "a slot number, length or bound is out of range",
        IpcStatus.TimedOut => "the call timed out",
        IpcStatus.NotConnected => "the partner's node was lost",
        IpcStatus.Locked => "the call would deadlock (cycle of blocked endpoints)",
        IpcStatus.BadSrcDst => "ANY/NONE not allowed here, or not an endpoint",
        IpcStatus.CallDenied => "privileges or buffer access deny this call",
        IpcStatus.DeadSrcDst => "the partner endpoint is not alive",
        IpcStatus.NotReady => "the receiver is not waiting",
        IpcStatus.BadRequest => "the message type is reserved by the IPC layer (NOTIFY)",
        IpcStatus.SrcDied => "the source ended",
        IpcStatus.DstDied => "the destination ended",
        IpcStatus.TrapDenied => "this primitive is not allowed for the caller",
        IpcStatus.BadNodeId => "unknown node",
        IpcStatus.BadVmId => "unknown or duplicate VM id",
        IpcStatus.VmNotRunning => "the VM is not running",
        IpcStatus.BadEndpoint => "stale endpoint or the caller itself",
        IpcStatus.NotBound => "the caller holds no bound endpoint",
        IpcStatus.ProcState => "the partner is not in the state the call needs",
        IpcStatus.DrvsBusy => "the DRVS is already initialised",
        IpcStatus.DrvsInit => "the DRVS is not initialised",
        IpcStatus.SlotUsed => "the slot is already bound",
        IpcStatus.BadRange => "VM or DRVS parameters out of range",
        IpcStatus.Suspended => "the call is under way; the outcome arrives later",
        _ => $"status {(int)status}",
    };
}
