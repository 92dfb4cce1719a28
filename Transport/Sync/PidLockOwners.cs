using M3Actors.Transport.Native;

namespace M3Actors.Transport.Sync;

/// <summary>
/// Owners named by pid, for the one lock taken before a process has a process-table entry (the attach lock).
/// A pid reused right after its owner died would keep the lock looking held: the attach timeout bounds that case.
/// </summary>
internal sealed class PidLockOwners : ILockOwners
{
    /// <summary>The single instance.</summary>
    public static PidLockOwners Instance { get; } = new();

    /// <inheritdoc />
    public bool IsAlive(int owner, bool checkProcess) => !checkProcess || ProcessIdentity.Read(owner) is not null;
}
