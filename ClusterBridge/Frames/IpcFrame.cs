namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// One IPC hop between two nodes of a VM: the call (or its answer) and the 64-byte message, tagged with a correlation
/// id (the caller's call sequence), so a late answer can never be credited to a later call — the seed had no such id
/// over TCP. Its wire form is fixed-size (<see cref="IpcFrameSerializer"/>).
/// </summary>
public sealed class IpcFrame(FrameKind kind, long correlation, Endpoint caller, Endpoint partner, IpcStatus status, in Message message)
{
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

    /// <summary>The message, for frames that carry one.</summary>
    public Message Message { get; } = message;

    /// <inheritdoc />
    public override string ToString() => $"{Kind} #{Correlation} {Caller} -> {Partner} {Status} type {Message.Type}";
}
