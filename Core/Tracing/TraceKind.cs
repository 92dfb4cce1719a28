namespace M3Actors.Tracing;

/// <summary>What a <see cref="TraceEvent"/> records.</summary>
public enum TraceKind : byte
{
    /// <summary>An endpoint was bound (<see cref="TraceEvent.Endpoint"/>).</summary>
    Bind,
    /// <summary>An endpoint was unbound (its partners' and its own blocked calls then wake with an error).</summary>
    Unbind,
    /// <summary>A primitive was called: who, which, partner and (for a message) its type.</summary>
    Call,
    /// <summary>
    /// A message reached its receiver: from <see cref="TraceEvent.Endpoint"/> to <see cref="TraceEvent.Partner"/>.
    /// </summary>
    Deliver,
    /// <summary>
    /// A notification could not be delivered at once and is pending at <see cref="TraceEvent.Partner"/>.
    /// </summary>
    NotifyPending,
    /// <summary>
    /// A call blocked: <see cref="TraceEvent.Endpoint"/> waits for <see cref="TraceEvent.Partner"/> (or ANY).
    /// </summary>
    Block,
    /// <summary>
    /// A blocked call ended (delivery, reply, timeout, a partner's death); <see cref="TraceEvent.Status"/> says how.
    /// </summary>
    Wake,
    /// <summary>
    /// A vcopy copied <see cref="TraceEvent.Bytes"/> from <see cref="TraceEvent.Endpoint"/> to
    /// <see cref="TraceEvent.Partner"/>.
    /// </summary>
    Copy,
    /// <summary>A call returned an error at once; <see cref="TraceEvent.Status"/> is the error.</summary>
    Error,
}
