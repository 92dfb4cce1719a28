namespace M3Actors.Perf.Harness;

/// <summary>What one benchmark operation stands for, which decides how its rate is reported.</summary>
public enum RateUnit
{
    /// <summary>One operation is one request + reply; the rate is round trips per second.</summary>
    RoundTripsPerSecond,

    /// <summary>One operation copies one block of the case's <c>Size</c> parameter; the rate is GB/s (10^9 B/s).</summary>
    GigabytesPerSecond,
}
