namespace M3Actors.Transport.Sync;

/// <summary>Tells a <see cref="SharedLock"/> whether the owner a lock word is tagged with still lives.</summary>
internal interface ILockOwners
{
    /// <summary>
    /// False once <paramref name="owner"/> is known dead. With <paramref name="checkProcess"/> false, answer from
    /// cheap shared state only (and say alive when that cannot tell); with true, also ask the operating system.
    /// </summary>
    bool IsAlive(int owner, bool checkProcess);
}
