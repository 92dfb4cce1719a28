using System.Diagnostics;

namespace M3Actors.Transport.Sync;

/// <summary>
/// One waiter's memory of its recent waits, which caps how long it spins next (below the <see cref="SpinGate"/>'s
/// budget): a wait that ended soon — while spinning, or soon after parking — doubles the cap up to
/// <see cref="SpinGate.MaxSpin"/>; a long wait halves it, down to no spin at all. Spinning only pays while the
/// partner runs on another core at the same time; on a box whose cores are busy with other work the partner is not
/// running, the spin burns the very time slice the partner needs, and the spinner's own CPU use costs it the
/// scheduler's preference when it is woken later (one busy run measured 100 µs per cross-process round trip with
/// fixed 30 µs spins, against 9 µs through a Unix socket). Not thread-safe: one per waiting thread.
/// </summary>
internal struct SpinHistory
{
    /// <summary>
    /// A wait up to this long counts as short: a spin of the full budget would (nearly) have caught it.
    /// </summary>
    private static readonly long ShortWaitTicks = 2 * SpinGate.MaxSpinTicks;

    // The smallest step up from no spin: 1, 3, 7, 15, 31 µs, so five short waits in a row restore the full budget.
    private static readonly long StepTicks = Stopwatch.Frequency / 1_000_000 + 1;

    private long _capTicks;
    private bool _started;

    /// <summary>The longest spin the next wait may make, in <see cref="Stopwatch"/> ticks.</summary>
    public long CapTicks => _started ? _capTicks : SpinGate.MaxSpinTicks;

    /// <summary>A wait that began at <paramref name="startedAt"/> ended now; it was short when
    /// <paramref name="caughtSpinning"/> or when it took at most twice the longest spin.</summary>
    public void Ended(long startedAt, bool caughtSpinning)
    {
        var cap = CapTicks;
        var waited = Stopwatch.GetTimestamp() - startedAt;
        _capTicks = caughtSpinning || waited <= ShortWaitTicks
            ? Math.Min(SpinGate.MaxSpinTicks, 2 * cap + StepTicks)
            : cap / 2;
        _started = true;
    }
}
