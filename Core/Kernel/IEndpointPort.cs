namespace M3Actors.Kernel;

/// <summary>
/// The delivery seam: the one way the kernel reaches the owner of an endpoint. A local thread handle and an actor
/// mailbox implement it today; the shared-memory transport and the cluster bridge implement it for endpoints whose
/// owner lives in another process or on another node. The kernel calls both methods outside its locks, so an
/// implementation may take its own locks or send over a wire, but must not call back into the kernel synchronously.
/// </summary>
public interface IEndpointPort
{
    /// <summary>
    /// The owner's blocking call ended: the kernel has written the outcome (status and, for receive and sendrec,
    /// the message) into the endpoint's slot. Called exactly once per call that suspended.
    /// </summary>
    void Completed();

    /// <summary>
    /// Work now waits for the owner's next receive (a blocked sender or a notification) while the owner is not in a
    /// receive that accepts it. A thread owner ignores this (it finds the work on its next receive); an actor owner
    /// schedules its mailbox; a remote proxy ships it.
    /// </summary>
    void Pending();
}
