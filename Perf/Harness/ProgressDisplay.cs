using System.Diagnostics;
using BenchmarkDotNet.EventProcessors;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace M3Actors.Perf.Harness;

/// <summary>
/// Prints <c>[3/20] AkkaAsk.RoundTrips [Pairs=4] ...</c> on stderr as each case starts and its time when it ends,
/// so a long run shows where it is and how much remains. The total comes from the build stage, which lists
/// every case before any runs. With an <see cref="ErrorLogger"/> it also keeps why each failed case failed.
/// </summary>
public sealed class ProgressDisplay(ErrorLogger? errors = null) : EventProcessor
{
    private readonly Stopwatch _caseTime = new();
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private int _total;
    private int _started;

    /// <summary>Why each failed case failed, by <see cref="Measurement.Describe"/> name (specs runs only).</summary>
    public IReadOnlyDictionary<string, string> Failures => _failures;

    /// <inheritdoc />
    public override void OnStartBuildStage(IReadOnlyList<BuildPartition> partitions) =>
        _total += partitions.Sum(partition => partition.Benchmarks.Length);

    /// <inheritdoc />
    public override void OnStartRunBenchmark(BenchmarkCase benchmarkCase)
    {
        _started++;
        _caseTime.Restart();
        errors?.StartCase();
        Console.Error.WriteLine($"[{_started}/{_total}] {Measurement.Describe(benchmarkCase)} ...");
    }

    /// <inheritdoc />
    public override void OnEndRunBenchmark(BenchmarkCase benchmarkCase, BenchmarkReport report)
    {
        var name = Measurement.Describe(benchmarkCase);
        if (!report.Success)
        {
            _failures[name] = errors?.FailureReason() ?? "no results and no error logged";
            foreach (var line in errors?.ExceptionLines() ?? [])
            {
                Console.Error.WriteLine($"  {line}");
            }
        }
        Console.Error.WriteLine(
            $"[{_started}/{_total}] {name} {(report.Success ? "done" : "FAILED")} in {_caseTime.Elapsed.TotalSeconds:0.0} s");
    }
}
