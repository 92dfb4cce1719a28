using System.Reflection;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace M3Actors.Perf.Harness;

/// <summary>One benchmark case's result, reduced to what specs and the report need.</summary>
public sealed record Measurement(
    BenchmarkCase Case,
    string Mechanism,
    string Test,
    RateUnit Unit,
    int? Pairs,
    long? SizeBytes,
    double? Rate,
    long? AllocatedBytesPerOperation,
    IReadOnlyList<double>? NanosecondsPerOperation = null)
{
    /// <summary>True when the case produced timings (it did not throw or time out).</summary>
    public bool Succeeded => Rate is not null;

    /// <summary>The case as BenchmarkDotNet names it, e.g. <c>UnixSocketPingPong.RoundTrips [Pairs=4]</c>.</summary>
    public string DisplayName => Describe(Case);

    /// <summary>Reads the rate from the median time per operation, which resists this machine's outliers better
    /// than the mean; BenchmarkDotNet has already divided by <c>OperationsPerInvoke</c>.</summary>
    public static Measurement From(BenchmarkReport report)
    {
        var benchmarkCase = report.BenchmarkCase;
        var label = LabelOf(benchmarkCase);
        var pairs = IntParameter(benchmarkCase, "Pairs");
        var size = IntParameter(benchmarkCase, "Size");
        if (label.Unit == RateUnit.GigabytesPerSecond && size is null)
        {
            throw new InvalidOperationException($"{Describe(benchmarkCase)} reports GB/s but has no Size parameter.");
        }

        double? rate = null;
        if (report.ResultStatistics is { } stats && stats.Median > 0)
        {
            var operationsPerSecond = 1e9 / stats.Median;
            rate = label.Unit == RateUnit.GigabytesPerSecond ? operationsPerSecond * size!.Value / 1e9 : operationsPerSecond;
        }

        // A "Dispatcher" parameter (Perf/Smp) names a variant of the mechanism: "M3Actors actor (affinity-static)".
        var dispatcher = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Dispatcher")?.Value as string;
        var mechanism = dispatcher is null ? label.Mechanism : $"{label.Mechanism} ({dispatcher})";
        return new Measurement(benchmarkCase, mechanism, label.Test, label.Unit, pairs, size, rate,
            report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase), report.ResultStatistics?.OriginalValues);
    }

    /// <summary>Type, method and parameters, the way progress lines and errors name a case.</summary>
    public static string Describe(BenchmarkCase benchmarkCase) =>
        $"{benchmarkCase.Descriptor.Type.Name}.{benchmarkCase.Descriptor.WorkloadMethod.Name}" +
        (benchmarkCase.HasParameters ? " " + benchmarkCase.Parameters.DisplayInfo : "");

    private static ReportAsAttribute LabelOf(BenchmarkCase benchmarkCase)
    {
        var method = benchmarkCase.Descriptor.WorkloadMethod;
        return method.GetCustomAttribute<ReportAsAttribute>()
            ?? benchmarkCase.Descriptor.Type.GetCustomAttribute<ReportAsAttribute>()
            ?? throw new InvalidOperationException(
                $"{Describe(benchmarkCase)} has no [ReportAs]: every benchmark must name its mechanism and test.");
    }

    private static int? IntParameter(BenchmarkCase benchmarkCase, string name) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value switch
        {
            null => null,
            int value => value,
            var other => throw new InvalidOperationException(
                $"{Describe(benchmarkCase)}: parameter {name} must be an int, found {other.GetType().Name}."),
        };
}
