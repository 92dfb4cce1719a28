using System.Text;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Report;

/// <summary>
/// Writes <c>report.md</c>: one row per measured case with its rate, its ratio to the reference peer of the same
/// run, and allocated bytes per operation, then the latency table and the spec verdicts when the run has them.
/// </summary>
public static class MarkdownReport
{
    /// <summary>Round-trip rows are compared with this mechanism at the same number of pairs (as in benchmarks.md).</summary>
    public const string RoundTripReference = "Unix domain socket";

    /// <summary>Copy rows are compared with this mechanism at the same block size: the copy ceiling.</summary>
    public const string CopyReference = "Buffer.MemoryCopy";

    /// <summary>Writes the report to <paramref name="path"/>: the throughput table, the latency table when the run
    /// measured latency, the wire table when it measured bytes on the wire, and the spec and failed-case lines.</summary>
    public static void Write(string path, string runDescription, RunResults results, IReadOnlyList<string> verdicts)
    {
        var measurements = results.Measurements;
        var text = new StringBuilder();
        text.AppendLine("# M3Actors performance report").AppendLine();
        text.AppendLine($"- date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine($"- machine: {MachineInfo.Describe()}");
        text.AppendLine($"- run: {runDescription}");
        text.AppendLine("- rate: median over the measured iterations; compare ratios within this run, not numbers across runs");
        text.AppendLine().AppendLine("![IPC rates](figure1.png)").AppendLine().AppendLine("![Copy rates](figure2.png)").AppendLine();

        text.AppendLine($"| mechanism | test | pairs/size | rate | ratio to peer (× {RoundTripReference} same pairs; × {CopyReference} same size) | allocated B/op |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in Ordered(measurements))
        {
            text.AppendLine($"| {row.Mechanism} | {row.Test} | {Scale(row)} | {RateText(row)} | {RatioText(row, measurements)} | {row.AllocatedBytesPerOperation?.ToString() ?? "–"} |");
        }

        if (results.Latency is { } latency)
        {
            text.AppendLine().AppendLine("## Round-trip latency").AppendLine().Append(Latency.LatencyReport.Markdown(latency));
        }

        if (results.Wire is { } wire)
        {
            text.AppendLine().AppendLine("## Bytes on the wire between two nodes").AppendLine()
                .Append(Wire.WireReport.Markdown(wire));
        }

        if (verdicts.Count > 0)
        {
            text.AppendLine().AppendLine("## Specs").AppendLine().AppendLine("```");
            foreach (var verdict in verdicts)
            {
                text.AppendLine(verdict);
            }
            text.AppendLine("```");
        }
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>The same-run reference row a measurement is compared with, if that reference was measured.</summary>
    public static Measurement? ReferenceFor(Measurement row, IReadOnlyList<Measurement> measurements) =>
        row.Unit == RateUnit.GigabytesPerSecond
            ? measurements.FirstOrDefault(m => m.Mechanism == CopyReference && m.SizeBytes == row.SizeBytes && m.Succeeded)
            : measurements.FirstOrDefault(m => m.Mechanism == RoundTripReference && m.Pairs == row.Pairs && m.Succeeded);

    private static IEnumerable<Measurement> Ordered(IReadOnlyList<Measurement> measurements) =>
        measurements
            .OrderBy(m => m.Unit)
            .ThenBy(m => m.Test, StringComparer.Ordinal)
            .ThenBy(m => m.Pairs ?? 0)
            .ThenBy(m => m.SizeBytes ?? 0)
            .ThenByDescending(m => m.Rate ?? 0);

    private static string Scale(Measurement row) =>
        row.Unit == RateUnit.GigabytesPerSecond
            ? Formats.Size(row.SizeBytes!.Value)
            : row.Pairs is { } pairs ? $"{pairs} pair{(pairs == 1 ? "" : "s")}" : "–";

    private static string RateText(Measurement row) =>
        row.Rate is { } rate ? Formats.Rate(rate, row.Unit) : "failed";

    private static string RatioText(Measurement row, IReadOnlyList<Measurement> measurements) =>
        row.Rate is { } rate && ReferenceFor(row, measurements) is { Rate: { } reference }
            ? Formats.Invariant($"{rate / reference:0.00}")
            : "–";
}
