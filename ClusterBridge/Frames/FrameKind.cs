namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// What an <see cref="IpcFrame"/> carries between two nodes of a VM (distribution.md §2). A call to a remote endpoint
/// is one request frame; the owner node's kernel decides and one answer frame travels back with the status. The
/// values are the wire format: a value missing here is refused on read.
/// </summary>
public enum FrameKind : byte
{
    /// <summary>send: the answer is an <see cref="Ack"/> once the owner's kernel delivered the message.</summary>
    Send = 1,
    /// <summary>
    /// sendnb: the owner delivers it only if the destination is receiving from the caller right now; the
    /// <see cref="Ack"/> carries Ok or NotReady (its correlation id is negative: see the bridge's SendNbWait).
    /// </summary>
    SendNb = 2,
    /// <summary>sendrec: the answer is the <see cref="Reply"/> itself (it proves delivery: two frames per call).</summary>
    SendRec = 3,
    /// <summary>The answer to a <see cref="SendRec"/>: the server's reply, or the status that ended the call.</summary>
    Reply = 4,
    /// <summary>notify: one frame, never answered, coalesced at the owner.</summary>
    Notify = 5,
    /// <summary>The status of a <see cref="Send"/>, matched by correlation id.</summary>
    Ack = 6,
    /// <summary>
    /// The caller gave up the call with this correlation id (timeout, cancellation) and waits for the owner's word
    /// (two-phase cancel): the owner withdraws the call if it still waits there and answers it with TimedOut; if the
    /// call already ended there, the answer already sent (Ok for a delivered send) decides.
    /// </summary>
    Cancel = 7,
    /// <summary>
    /// A deadlock probe (edge chasing): the caller is the probe's initiator, the correlation its call, the partner
    /// the endpoint where the chain goes on; the message's type counts the hops so far. Never answered.
    /// </summary>
    Probe = 8,
    /// <summary>
    /// vcopy, requester's node to the source's: check and pin the source (the partner) for copy number correlation of
    /// the caller (the requester), then stream its bytes to the destination's node. Carries the buffer, offset, length
    /// and the destination's node id; answered by <see cref="CopyDone"/>.
    /// </summary>
    CopyFrom = 9,
    /// <summary>
    /// vcopy, requester's node to the destination's: check and pin the destination (the partner). Carries the buffer,
    /// offset, length and the source's node id; answered by <see cref="CopyReady"/>.
    /// </summary>
    CopyTo = 10,
    /// <summary>The destination's node to the requester's: the destination is pinned (Ok), or why not.</summary>
    CopyReady = 11,
    /// <summary>
    /// The source's node to the destination's: the requester's node id, the offset and the bytes of one chunk, up to
    /// <see cref="CopyFrames.MaxChunkBytes"/>, carried in the frame itself.
    /// </summary>
    CopyChunk = 12,
    /// <summary>The destination's node to the source's: the requester's node id and the bytes written so far, or why
    /// the destination could not take the chunk.</summary>
    CopyAck = 13,
    /// <summary>The source's node to the requester's: the copy's outcome.</summary>
    CopyDone = 14,
    /// <summary>The requester's node to a party's: the copy has ended, unpin the party. Never answered.</summary>
    CopyClose = 15,
}
