namespace M3Actors.Perf.Harness;

/// <summary>
/// Names a benchmark in the report: the mechanism (e.g. "Unix domain socket", later "M3Actors actor") and the
/// seed paper's test it corresponds to ("IPC1", "IPC2", "IPC3", "COPY1", "COPY2", or "COPY" for the memcpy ceiling).
/// Put it on the class, or on a method to override the class for that method. The harness reads the case's
/// <c>Pairs</c> parameter (round-trip benchmarks) or <c>Size</c> parameter in bytes (copy benchmarks).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = false)]
public sealed class ReportAsAttribute(string mechanism, string test) : Attribute
{
    /// <summary>The mechanism's display name; keep it identical across benchmarks that share a mechanism.</summary>
    public string Mechanism { get; } = mechanism;

    /// <summary>The seed test name this benchmark reproduces.</summary>
    public string Test { get; } = test;

    /// <summary>What one operation means; round trips unless stated.</summary>
    public RateUnit Unit { get; init; } = RateUnit.RoundTripsPerSecond;
}
