namespace M3Actors.Transport.Sync;

/// <summary>How a <see cref="SharedLock.Acquire"/> ended.</summary>
internal enum LockResult
{
    /// <summary>The lock was free or released by its owner: the protected state is consistent.</summary>
    Acquired,

    /// <summary>
    /// The lock was taken over from an owner that died holding it: the caller owns it now and must repair
    /// whatever a half-done critical section can leave before relying on the protected state.
    /// </summary>
    OwnerDied,

    /// <summary>The timeout passed with the lock held by a live owner.</summary>
    TimedOut,
}
