namespace M3Actors.Kernel;

/// <summary>
/// A thread owner's wait on a futex word of its own slot record, in a region shared between processes: a waker in
/// any process completes the owner's blocking call by setting the word and waking it directly, one wake per hop
/// instead of a hop through the owner process's wake thread. Async calls do not use it (they complete a value-task
/// source, which the wake thread does).
/// </summary>
internal interface IRecordWait
{
    /// <summary>Before a blocking call: from now on a completion sets the word (and wakes a parked owner).</summary>
    void Arm();

    /// <summary>
    /// Spins within the machine's spin budget, then parks until the call completed (true) or
    /// <paramref name="timeout"/> (positive or infinite) elapsed first (false: still armed, the caller aborts).
    /// </summary>
    bool Wait(TimeSpan timeout);

    /// <summary>The call completed (a completion by this process; another process signals the word itself).</summary>
    void Signal();

    /// <summary>After the blocking call: completions go back to the owner process's wake thread.</summary>
    void Disarm();
}
