namespace M3Actors.Perf.Harness;

/// <summary>The verdict on one spec, printed as <c>spec name: measured vs bar bar PASS|FAIL</c>.</summary>
public sealed record SpecOutcome(string Name, string Measured, string Bar, bool Passed)
{
    /// <inheritdoc />
    public override string ToString() => $"spec {Name}: {Measured} vs bar {Bar} {(Passed ? "PASS" : "FAIL")}";
}
