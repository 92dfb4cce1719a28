namespace M3Actors.Perf.Wire;

/// <summary>
/// One measurement of bytes on the wire: <see cref="Bytes"/> sent between the two nodes over
/// <see cref="Seconds"/> while <see cref="RoundTrips"/> sendrec round trips ran (two 64-byte messages each), and the
/// cluster's own rate (heartbeats, gossip) over a quiet window before, which is taken off.
/// </summary>
public sealed record WireReading(WireLoad Load, int InFlight, int RoundTrips, long Bytes, double Seconds,
    double BackgroundBytesPerSecond)
{
    /// <summary>IPC messages the run carried: a request and a reply per round trip.</summary>
    public int Messages => 2 * RoundTrips;

    /// <summary>Bytes per message as measured, the cluster's background included.</summary>
    public double RawBytesPerMessage => (double)Bytes / Messages;

    /// <summary>Bytes per 64-byte message: the run's bytes less the background rate over the run's time.</summary>
    public double BytesPerMessage => (Bytes - BackgroundBytesPerSecond * Seconds) / Messages;
}
