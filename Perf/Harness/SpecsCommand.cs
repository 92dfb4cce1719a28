using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using M3Actors.Perf.Latency;
using M3Actors.Perf.Report;
using M3Actors.Perf.Wire;

namespace M3Actors.Perf.Harness;

/// <summary>
/// <c>specs [--quick|--smoke]</c>: runs every benchmark class, the latency and the wire benchmarks, writes the
/// report, and judges <see cref="Specs.All"/> (except in smoke runs, which only prove that every case runs and that
/// every spec names something measured). Every case the catalog lists ends up in the spec table: a case that failed,
/// or that BenchmarkDotNet never reported, is a <c>case … FAILED</c> line with its reason. Returns 0 only when
/// everything ran and every judged spec passed.
/// </summary>
public static class SpecsCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (RunModes.Parse(args) is not { } runMode)
        {
            Console.Error.WriteLine("usage: specs [--quick | --smoke]");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var artifacts = RepoPaths.PerfArtifacts();
        var types = BenchmarkCatalog.All();
        var errors = new ErrorLogger();
        var progress = new ProgressDisplay(errors);
        var config = PerfConfig.ForSpecs(runMode, artifacts, errors, progress);
        var expected = types.SelectMany(type => BenchmarkConverter.TypeToBenchmarks(type, config).BenchmarksCases)
            .Select(Measurement.Describe).ToList();
        Console.Error.WriteLine(
            $"specs ({runMode}): {types.Length} benchmark classes, {expected.Count} cases, in process, " +
            "then latency, then wire");

        var problems = new List<string>();
        var summaries = RunBenchmarks(types, config, problems);
        var measurements = ReportWriter.Measurements(summaries);
        problems.AddRange(summaries.SelectMany(s => s.ValidationErrors).Where(e => e.IsCritical)
            .Select(e => $"invalid: {e.Message}"));

        // A case is lost when it failed or when BenchmarkDotNet has no report of it at all (a run stopped half-way):
        // either way it is a FAILED line in the spec table, never just a missing row.
        var lost = measurements.Where(m => !m.Succeeded).Select(m => m.DisplayName)
            .Concat(expected.Except(measurements.Select(m => m.DisplayName), StringComparer.Ordinal))
            .Select(name =>
                $"case {name}: FAILED ({progress.Failures.GetValueOrDefault(name, "BenchmarkDotNet reported no result")})")
            .ToList();

        var latency = RunOrReport("latency",
            () => LatencyBenchmark.Run(LatencyOptions.For(runMode), Console.Error.WriteLine), problems);
        var wire = RunOrReport("wire",
            () => WireBenchmark.Run(WireOptions.For(runMode), Console.Error.WriteLine), problems);
        var results = new RunResults(measurements, latency, wire);
        var outcomes = runMode == RunMode.Smoke ? [] : Specs.All.Select(spec => spec.Evaluate(results)).ToList();
        if (runMode == RunMode.Smoke)
        {
            problems.AddRange(Specs.All.SelectMany(spec => spec.Unmeasured(results)
                .Select(missing => $"spec {spec.Name} names {missing}, which was not measured")));
        }

        var verdicts = outcomes.Select(o => o.ToString()).Concat(lost).ToList();
        var command = string.Join(' ', ["specs", .. args]);
        var report = ReportWriter.WriteAll(artifacts, $"{command} ({runMode} job, in process)", results, verdicts);
        if (latency is not null)
        {
            Console.Write(LatencyReport.Table(latency));
        }
        foreach (var reading in wire?.Readings ?? [])
        {
            Console.WriteLine($"wire: {WireBenchmark.Describe(reading)}");
        }
        foreach (var line in verdicts.Concat(problems))
        {
            Console.WriteLine(line);
        }
        var judged = runMode == RunMode.Smoke ? "bars not evaluated" : $"{outcomes.Count(o => o.Passed)}/{outcomes.Count} specs passed";
        Console.WriteLine($"{runMode.ToString().ToLowerInvariant()}: {measurements.Count(m => m.Succeeded)}/{expected.Count} cases ran, " +
            $"latency {(latency is null ? "FAILED" : "ran")}, wire {(wire is null ? "FAILED" : "ran")}, {judged}, " +
            $"report {Path.GetRelativePath(RepoPaths.RepoRoot(), report)}, {clock.Elapsed.TotalSeconds:0} s");
        return lost.Count == 0 && problems.Count == 0 && outcomes.All(o => o.Passed) ? 0 : 1;
    }

    // BenchmarkDotNet lets an in-process executor's own timeout escape the whole run; the cases it did not reach
    // are then reported as lost rather than the run ending without a report.
    private static Summary[] RunBenchmarks(Type[] types, IConfig config, List<string> problems)
    {
        try
        {
            return BenchmarkRunner.Run(types, config);
        }
        catch (Exception e)
        {
            problems.Add($"BenchmarkDotNet stopped the run: {e.GetType().Name}: {e.Message}");
            return [];
        }
    }

    // The benchmarks that run after BenchmarkDotNet's cases: a failure is reported as a problem and the run goes on.
    private static T? RunOrReport<T>(string name, Func<T> run, List<string> problems) where T : class
    {
        try
        {
            return run();
        }
        catch (Exception e)
        {
            problems.Add($"{name}: FAILED: {e}");
            return null;
        }
    }
}
