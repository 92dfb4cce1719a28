namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// One IPC hop between two nodes of a VM: the call (or its answer) and the 64-byte message, tagged with a correlation
/// id (the caller's call sequence), so a late answer can never be credited to a later call — the seed had no such id
/// over TCP. A value type: frames are encoded into (and decoded from) a node link's batch buffer without allocating
/// (<see cref="FrameCodec"/>).
/// </summary>
public readonly struct IpcFrame(
    FrameKind kind, long correlation, Endpoint caller, Endpoint partner, IpcStatus status, in Message message)
{
    private readonly Message _message = message;

    /// <summary>What the frame carries.</summary>
    public FrameKind Kind { get; } = kind;

    /// <summary>The caller's call sequence number, echoed by every answer to that call.</summary>
    public long Correlation { get; } = correlation;

    /// <summary>The endpoint that made the call (in an answer: the one it answers).</summary>
    public Endpoint Caller { get; } = caller;

    /// <summary>The destination of the call (in an answer: the endpoint answering).</summary>
    public Endpoint Partner { get; } = partner;

    /// <summary>The outcome, in answers; <see cref="IpcStatus.Ok"/> in requests.</summary>
    public IpcStatus Status { get; } = status;

    /// <summary>The message, for frames that carry one (<see cref="CarriesMessage"/>); default otherwise.</summary>
    public Message Message => _message;

    /// <summary>
    /// True when the wire form carries the message: every request but CANCEL, and a REPLY with Ok (the server's
    /// reply). An ACK, a CANCEL and a failed REPLY carry the status alone. The message's source is never sent: the
    /// receiving kernel sets it.
    /// </summary>
    public bool CarriesMessage => CarriesMessageFor(Kind, Status);

    internal static bool CarriesMessageFor(FrameKind kind, IpcStatus status) => kind switch
    {
        FrameKind.Ack or FrameKind.Cancel => false,
        >= FrameKind.CopyFrom => false,         // a copy frame's few fields travel as varints (CopyFrames)
        FrameKind.Reply => status == IpcStatus.Ok,
        _ => true,
    };

    /// <inheritdoc />
    public override string ToString() => $"{Kind} #{Correlation} {Caller} -> {Partner} {Status} type {Message.Type}";
}
