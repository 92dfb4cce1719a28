namespace M3Actors.Kernel;

/// <summary>
/// A proc's published waits-for word: whom it waits for (the partner endpoint and whether it sends to it or
/// receives from it), in what state (<see cref="Tentative"/> while its owner walks for a deadlock,
/// <see cref="Committed"/> once it is blocked), and a version bumped on every change. One 64-bit word, written only
/// by the holder of the proc's lock and read without any lock by deadlock walks, so a walk can tell by comparing
/// words that nothing changed between two reads (double collect). Layout: bits 0-31 the endpoint value, bit 32 the
/// direction, bits 33-34 the state, bits 35-63 the version.
/// </summary>
internal static class WaitsFor
{
    internal const long Tentative = 1L << 33;
    internal const long Committed = 2L << 33;

    private const long SendingBit = 1L << 32;
    private const long StateMask = 3L << 33;
    private const int VersionShift = 35;
    private const long EdgeMask = (1L << VersionShift) - 1;

    internal static bool IsNone(long word) => (word & StateMask) == 0;

    internal static bool IsTentative(long word) => (word & StateMask) == Tentative;

    internal static Endpoint Partner(long word) => new((int)(uint)word);

    internal static bool Sending(long word) => (word & SendingBit) != 0;

    /// <summary>The edge part of a word (partner, direction, state), without its version.</summary>
    internal static long Edge(long word) => word & EdgeMask;

    /// <summary>Publishes <paramref name="edge"/> (from <see cref="EdgeOf"/>, or 0 for none), next version.</summary>
    internal static void Publish(ref long word, long edge) => Volatile.Write(ref word, Next(word, edge));

    /// <summary>
    /// As <see cref="Publish"/> with a full fence, for a tentative edge: the walk that follows must read other procs'
    /// words only after this one is visible to their walks.
    /// </summary>
    internal static void PublishFenced(ref long word, long edge) => Interlocked.Exchange(ref word, Next(word, edge));

    // Only the lock holder writes a word, so reading the old version and writing the next cannot race.
    private static long Next(long word, long edge) => ((long)((ulong)word >> VersionShift) + 1 << VersionShift) | edge;

    internal static long EdgeOf(Endpoint partner, bool sending, long state) =>
        (uint)partner.Value | (sending ? SendingBit : 0) | state;
}
