using System.Globalization;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Latency;

/// <summary>
/// <c>latency [--seconds N]</c>: runs the latency benchmark alone (N seconds of measuring, 45 by default), prints
/// its table and the verdicts of the latency specs, and writes <c>latency.md</c> and <c>latency.csv</c> under
/// artifacts/perf. Returns 0 when the benchmark ran (the verdicts are information here; <c>specs</c> judges them),
/// 1 when it failed, 2 on bad arguments.
/// </summary>
public static class LatencyCommand
{
    private const double DefaultSeconds = 45;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        double? seconds = args switch
        {
            [] => DefaultSeconds,
            ["--seconds", var text] when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
                && s > 0 && s <= 86400 => s,
            _ => null,
        };
        if (seconds is not { } runSeconds)
        {
            Console.Error.WriteLine("usage: latency [--seconds N]   (0 < N <= 86400; default 45)");
            return 2;
        }

        var options = LatencyOptions.ForSeconds(runSeconds);
        LatencyResults results;
        try
        {
            results = LatencyBenchmark.Run(options, Console.Error.WriteLine);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"latency: FAILED: {e}");
            return 1;
        }
        Console.Write(LatencyReport.Table(results));
        var run = new RunResults([], results);
        foreach (var spec in Specs.All.OfType<TailLatencySpec>())
        {
            Console.WriteLine(spec.Evaluate(run));
        }
        var path = LatencyReport.Write(RepoPaths.PerfArtifacts(), string.Join(' ', ["latency", .. args]), results);
        Console.WriteLine($"latency report {Path.GetRelativePath(RepoPaths.RepoRoot(), path)} (and latency.csv)");
        return 0;
    }
}
