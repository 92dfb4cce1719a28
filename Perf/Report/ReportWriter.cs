using Summary = BenchmarkDotNet.Reports.Summary;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Report;

/// <summary>Writes the report and both figures of a run into <c>artifacts/perf</c>.</summary>
public static class ReportWriter
{
    /// <summary>Every report of <paramref name="summaries"/> as a measurement.</summary>
    public static IReadOnlyList<Measurement> Measurements(IEnumerable<Summary> summaries) =>
        summaries.SelectMany(summary => summary.Reports).Select(Measurement.From).ToList();

    /// <summary>Writes report.md, figure1.png and figure2.png; returns the report's path.</summary>
    public static string WriteAll(string directory, string runDescription, IReadOnlyList<Measurement> measurements,
        IReadOnlyList<SpecOutcome> outcomes)
    {
        var report = Path.Combine(directory, "report.md");
        MarkdownReport.Write(report, runDescription, measurements, outcomes);
        Figures.WriteMessageTransfer(Path.Combine(directory, "figure1.png"), measurements);
        Figures.WriteBlockCopy(Path.Combine(directory, "figure2.png"), measurements);
        return report;
    }
}
