namespace M3Actors.Actors;

/// <summary>
/// The one message object an endpoint actor's mailbox hands to the actor for IPC: reused for every delivery (the actor
/// handles one at a time), so IPC delivery allocates nothing.
/// </summary>
internal sealed class IpcEvent
{
    internal IpcStatus Status;
    internal Message Message;
}
