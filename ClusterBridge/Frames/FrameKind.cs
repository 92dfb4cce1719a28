namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// What an <see cref="IpcFrame"/> carries between two nodes of a VM (distribution.md §2). A call to a remote endpoint
/// is one request frame; the owner node's kernel decides and one answer frame travels back with the status. The
/// values are the wire format: a value missing here (2) is refused on read.
/// </summary>
public enum FrameKind : byte
{
    /// <summary>send: the answer is an <see cref="Ack"/> once the owner's kernel delivered the message.</summary>
    Send = 1,
    /// <summary>sendrec: the answer is the <see cref="Reply"/> itself (it proves delivery: two frames per call).</summary>
    SendRec = 3,
    /// <summary>The answer to a <see cref="SendRec"/>: the server's reply, or the status that ended the call.</summary>
    Reply = 4,
    /// <summary>notify: one frame, never answered, coalesced at the owner.</summary>
    Notify = 5,
    /// <summary>The status of a <see cref="Send"/>, matched by correlation id.</summary>
    Ack = 6,
    /// <summary>
    /// The caller gave up the call with this correlation id (timeout, cancellation): the owner withdraws it if it
    /// still waits there. One phase: the caller's outcome is already decided on its node (rulebook §12), and an
    /// answer that crosses the cancel is dropped there by its correlation id.
    /// </summary>
    Cancel = 7,
    /// <summary>
    /// A deadlock probe (edge chasing): the caller is the probe's initiator, the correlation its call, the partner
    /// the endpoint where the chain goes on; the message's type counts the hops so far. Never answered.
    /// </summary>
    Probe = 8,
}
