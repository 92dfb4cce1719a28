using System.Diagnostics;
using BenchmarkDotNet.Running;
using M3Actors.Perf.Report;

namespace M3Actors.Perf.Harness;

/// <summary>
/// <c>specs [--quick|--smoke]</c>: runs every benchmark class, writes the report, and judges <see cref="Specs.All"/>
/// (except in smoke runs, which only prove that every case runs and that every spec names a measured case).
/// Returns 0 only when everything ran and every judged spec passed.
/// </summary>
public static class SpecsCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        RunMode? mode = args switch
        {
            [] => RunMode.Full,
            ["--quick"] => RunMode.Quick,
            ["--smoke"] => RunMode.Smoke,
            _ => null,
        };
        if (mode is not { } runMode)
        {
            Console.Error.WriteLine("usage: specs [--quick | --smoke]");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var artifacts = RepoPaths.PerfArtifacts();
        var types = BenchmarkCatalog.All();
        Console.Error.WriteLine($"specs ({runMode}): {types.Length} benchmark classes, in process");
        var summaries = BenchmarkRunner.Run(types, PerfConfig.ForSpecs(runMode, artifacts));
        var measurements = ReportWriter.Measurements(summaries);

        var problems = new List<string>();
        problems.AddRange(summaries.SelectMany(s => s.ValidationErrors).Where(e => e.IsCritical).Select(e => $"invalid: {e.Message}"));
        problems.AddRange(measurements.Where(m => !m.Succeeded).Select(m => $"failed: {m.DisplayName}"));
        if (measurements.Count == 0)
        {
            problems.Add("no benchmark produced a report");
        }

        var outcomes = runMode == RunMode.Smoke ? [] : Specs.All.Select(spec => spec.Evaluate(measurements)).ToList();
        if (runMode == RunMode.Smoke)
        {
            problems.AddRange(Specs.All.SelectMany(spec => spec.Cases.Where(c => c.Find(measurements) is null)
                .Select(c => $"spec {spec.Name} names {c}, which was not measured")));
        }

        var command = string.Join(' ', ["specs", .. args]);
        var report = ReportWriter.WriteAll(artifacts, $"{command} ({runMode} job, in process)", measurements, outcomes);
        foreach (var outcome in outcomes)
        {
            Console.WriteLine(outcome);
        }
        foreach (var problem in problems)
        {
            Console.WriteLine(problem);
        }
        Console.WriteLine($"{runMode.ToString().ToLowerInvariant()}: {measurements.Count(m => m.Succeeded)}/{measurements.Count} cases ran, " +
            $"{(runMode == RunMode.Smoke ? "bars not evaluated" : $"{outcomes.Count(o => o.Passed)}/{outcomes.Count} specs passed")}, " +
            $"report {Path.GetRelativePath(RepoPaths.RepoRoot(), report)}, {clock.Elapsed.TotalSeconds:0} s");
        return problems.Count == 0 && outcomes.All(o => o.Passed) ? 0 : 1;
    }
}
