using M3Actors.Perf.Latency;
using M3Actors.Perf.Wire;

namespace M3Actors.Perf.Harness;

/// <summary>What one <c>specs</c> run measured: BenchmarkDotNet's throughput cases, the latency benchmark's
/// series and the wire benchmark's readings (either null when that benchmark did not run or failed).</summary>
public sealed record RunResults(IReadOnlyList<Measurement> Measurements, LatencyResults? Latency,
    WireResults? Wire = null);
