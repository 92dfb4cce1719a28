namespace M3Actors;

/// <summary>The outcome of an async receive or sendrec: the status and, when it is Ok, the message.</summary>
/// <param name="Status">Ok or the error.</param>
/// <param name="Message">The received message or the reply (undefined unless <paramref name="Status"/> is Ok).</param>
public readonly record struct IpcResult(IpcStatus Status, Message Message);
