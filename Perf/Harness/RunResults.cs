using M3Actors.Perf.Latency;

namespace M3Actors.Perf.Harness;

/// <summary>What one <c>specs</c> run measured: BenchmarkDotNet's throughput cases and the latency benchmark's
/// series (null when the latency benchmark did not run or failed).</summary>
public sealed record RunResults(IReadOnlyList<Measurement> Measurements, LatencyResults? Latency);
