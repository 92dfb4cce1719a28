namespace M3Actors.Tracing;

/// <summary>
/// One recorded IPC event: an unmanaged value, written into a VM's trace ring without allocating. Which fields mean
/// something depends on <see cref="Kind"/> (see <see cref="TraceKind"/>); the others hold <see cref="Endpoint.None"/>
/// or 0.
/// </summary>
/// <param name="Sequence">The VM-wide number of the event: 0 for the first recorded, one more for each after.</param>
/// <param name="Timestamp">When it happened, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Call">The primitive involved (<see cref="IpcCalls.None"/> for bind and unbind).</param>
/// <param name="Endpoint">The endpoint that acted or was acted on: the caller, the sender, the blocked or woken
/// endpoint, a vcopy's source.</param>
/// <param name="Partner">The other side: the call's partner, the receiver, whom a blocked call waits for, a vcopy's
/// destination.</param>
/// <param name="Requester">For <see cref="TraceKind.Copy"/>: the endpoint that asked for the copy (a party or a
/// third endpoint); <see cref="Endpoint.None"/> for every other kind.</param>
/// <param name="MessageType">The message's <see cref="Message.Type"/> for calls and deliveries that carry one.</param>
/// <param name="Bytes">For a copy, and a vcopy call, the number of bytes.</param>
/// <param name="Status">For wake and error: the status; <see cref="IpcStatus.Ok"/> otherwise.</param>
public readonly record struct TraceEvent(
    long Sequence,
    long Timestamp,
    TraceKind Kind,
    IpcCalls Call,
    Endpoint Endpoint,
    Endpoint Partner,
    Endpoint Requester,
    int MessageType,
    int Bytes,
    IpcStatus Status);
