using Summary = BenchmarkDotNet.Reports.Summary;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Report;

/// <summary>Writes the report and both figures of a run into <c>artifacts/perf</c>.</summary>
public static class ReportWriter
{
    /// <summary>Every report of <paramref name="summaries"/> as a measurement.</summary>
    public static IReadOnlyList<Measurement> Measurements(IEnumerable<Summary> summaries) =>
        summaries.SelectMany(summary => summary.Reports).Select(Measurement.From).ToList();

    /// <summary>Writes report.md, figure1.png and figure2.png (and latency.md/latency.csv when the run measured
    /// latency); <paramref name="verdicts"/> are the spec and failed-case lines. Returns the report's path.</summary>
    public static string WriteAll(string directory, string runDescription, RunResults results, IReadOnlyList<string> verdicts)
    {
        var report = Path.Combine(directory, "report.md");
        MarkdownReport.Write(report, runDescription, results, verdicts);
        Figures.WriteMessageTransfer(Path.Combine(directory, "figure1.png"), results.Measurements);
        Figures.WriteBlockCopy(Path.Combine(directory, "figure2.png"), results.Measurements);
        if (results.Latency is { } latency)
        {
            Latency.LatencyReport.Write(directory, runDescription, latency);
        }
        return report;
    }
}
