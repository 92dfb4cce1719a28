using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace M3Actors.Perf.Harness;

/// <summary>
/// BenchmarkDotNet configurations. Every job runs in process: no per-run project build (slow, and heavy on a
/// shared 2-core box), and the cross-process peers can start this very binary as their child.
/// </summary>
public static class PerfConfig
{
    /// <summary>The config of a <c>specs</c> run: the mode's job, memory diagnoser, <paramref name="progress"/>, and
    /// <paramref name="errors"/> as the only console logger (the one <paramref name="progress"/> reads failures from).</summary>
    public static IConfig ForSpecs(RunMode mode, string artifactsPath, ErrorLogger errors, ProgressDisplay progress) =>
        ManualConfig.CreateEmpty()
            .AddJob(JobFor(mode))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(errors)
            .AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
            .AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub)
            .AddEventProcessor(progress)
            .WithArtifactsPath(Path.Combine(artifactsPath, "bdn"));

    /// <summary>The config of plain BenchmarkDotNet use (<c>--filter</c> …): its defaults, in process, with the
    /// memory diagnoser and progress lines.</summary>
    public static IConfig ForSwitcher(string artifactsPath) =>
        DefaultConfig.Instance
            .AddJob(JobFor(RunMode.Full).AsDefault())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddEventProcessor(new ProgressDisplay())
            .WithArtifactsPath(Path.Combine(artifactsPath, "bdn"));

    private static Job JobFor(RunMode mode)
    {
        var job = mode switch
        {
            // One cold invocation per case: enough to prove the case runs and to feed the report.
            RunMode.Smoke => Job.Dry,
            // Pilot sizes 200 ms iterations; the median of 7 is steady enough for same-run ratios and the 20
            // peer cases take about a minute, leaving room in the 5-minute budget for the M3 benchmarks.
            RunMode.Quick => Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(7)
                .WithIterationTime(TimeInterval.FromMilliseconds(200))
                .WithEvaluateOverhead(false),
            RunMode.Full => Job.Default,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
        // The toolchain logs the benchmark's output: in process, a case's exception is written there and nowhere
        // else (with DontLogOutput a failed case said only "Executable … not found", and its cause was lost).
        return job.WithToolchain(InProcessEmitToolchain.Instance).WithId(mode.ToString());
    }
}
