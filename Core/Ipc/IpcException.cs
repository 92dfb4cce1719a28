namespace M3Actors;

/// <summary>
/// Thrown by the lifecycle calls (DRVS, VM, bind) where .NET users expect an exception; the IPC primitives return a
/// <see cref="M3Actors.IpcStatus"/> instead, as Minix does.
/// </summary>
public sealed class IpcException : Exception
{
    /// <summary>Creates the exception for <paramref name="status"/> with a message that says what was wrong.</summary>
    public IpcException(IpcStatus status, string message) : base($"{status} ({(int)status}): {message}") => Status = status;

    /// <summary>The Minix-style status code of the failure.</summary>
    public IpcStatus Status { get; }
}
