namespace M3Actors.Perf.Peers.Processes;

/// <summary>How both sides of a <see cref="SharedRing"/> wait for the other's sequence number.</summary>
public enum RingWait
{
    /// <summary>Busy-spin, never give up the core: the ceiling with a core per side.</summary>
    Spin,

    /// <summary>Give the core up (<c>sched_yield</c>) between checks: no sleep, yet other runnable threads run.
    /// </summary>
    Yield,

    /// <summary>Park at once on a futex (no spin); the other side wakes it only when it announced the park: the
    /// cheapest purely blocking hand-off, one wake and one sleep per direction.</summary>
    Futex,
}
