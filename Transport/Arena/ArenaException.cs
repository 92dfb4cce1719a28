namespace M3Actors.Transport.Arena;

/// <summary>
/// An arena could not be created or attached; <see cref="Reason"/> says why, the message says what was found.
/// </summary>
public sealed class ArenaException(ArenaFailure reason, string path, string message)
    : Exception($"{path}: {message}")
{
    /// <summary>Why the attach failed.</summary>
    public ArenaFailure Reason { get; } = reason;

    /// <summary>The arena file concerned.</summary>
    public string Path { get; } = path;
}
