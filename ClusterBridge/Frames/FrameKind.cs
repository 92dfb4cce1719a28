namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// What an <see cref="IpcFrame"/> carries between two nodes of a VM (distribution.md §2). A call to a remote endpoint
/// is one request frame; the owner node's kernel decides and one answer frame travels back with the status.
/// </summary>
public enum FrameKind : byte
{
    /// <summary>send: the answer is an <see cref="Ack"/> once the owner's kernel delivered the message.</summary>
    Send = 1,
    /// <summary>sendnb: answered at once with Ok or NotReady.</summary>
    SendNb = 2,
    /// <summary>sendrec: the answer is the <see cref="Reply"/> itself (it proves delivery: two frames per call).</summary>
    SendRec = 3,
    /// <summary>A server's reply to a remote sendrec caller; one frame, never acknowledged.</summary>
    Reply = 4,
    /// <summary>notify: one frame, coalesced at the owner.</summary>
    Notify = 5,
    /// <summary>The status of a <see cref="Send"/> or <see cref="SendNb"/>, matched by correlation id.</summary>
    Ack = 6,
    /// <summary>The caller gave up (timeout, cancellation): first phase of a two-phase cancel.</summary>
    Cancel = 7,
    /// <summary>The owner's answer to <see cref="Cancel"/>: its status says Ok (withdrawn) or Busy (already taken).</summary>
    CancelAck = 8,
}
