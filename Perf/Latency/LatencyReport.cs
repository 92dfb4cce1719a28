using System.Globalization;
using System.Text;
using M3Actors.Perf.Report;

namespace M3Actors.Perf.Latency;

/// <summary>
/// The latency run as a table: one row per series with its round trips, p50, p99, p99.9 and max in microseconds,
/// and p99.9 ÷ p99.9 alone (the spec's ratio; the control VM rows are reported, not judged). Written as markdown
/// (<c>latency.md</c>, also a section of the specs report) and CSV (<c>latency.csv</c>).
/// </summary>
public static class LatencyReport
{
    /// <summary>The markdown table, preceded by how the run was made.</summary>
    public static string Markdown(LatencyResults results)
    {
        var text = new StringBuilder();
        text.AppendLine($"- measured: one thread-endpoint pair, sendrec <-> receive + reply, slots {MeasuredPair.ServerSlot} " +
                        $"(server) and {MeasuredPair.ClientSlot} (client) of VM 0; control churns run in VM 1");
        text.AppendLine($"- CPUs: {results.Cpus}");
        text.AppendLine($"- schedule: {results.Options}");
        text.AppendLine();
        text.AppendLine("| series | background | round trips | p50 us | p99 us | p99.9 us | max us | p99.9 / alone |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in results.Series)
        {
            text.AppendLine($"| {row.Series.Name()} | {row.Series.Background()} | {Count(row)} | {Us(row.P50Micros)} | " +
                            $"{Us(row.P99Micros)} | {Us(row.P999Micros)} | {Us(row.MaxMicros)} | {Ratio(results, row)} |");
        }
        return text.ToString();
    }

    /// <summary>A fixed-width table for the console.</summary>
    public static string Table(LatencyResults results)
    {
        var text = new StringBuilder();
        text.AppendLine($"latency: {results.Cpus}; {results.Options}");
        text.AppendLine($"{"series",-24} {"round trips",12} {"p50 us",9} {"p99 us",9} {"p99.9 us",9} {"max us",9} " +
                        $"{"p99.9/alone",12}");
        foreach (var row in results.Series)
        {
            text.AppendLine($"{row.Series.Name(),-24} {Count(row),12} {Us(row.P50Micros),9} {Us(row.P99Micros),9} " +
                            $"{Us(row.P999Micros),9} {Us(row.MaxMicros),9} {Ratio(results, row),12}");
        }
        return text.ToString();
    }

    /// <summary>Writes <c>latency.md</c> and <c>latency.csv</c> into <paramref name="directory"/>; returns the
    /// markdown file's path.</summary>
    public static string Write(string directory, string runDescription, LatencyResults results)
    {
        var markdown = Path.Combine(directory, "latency.md");
        File.WriteAllText(markdown,
            $"# M3Actors round-trip latency{Environment.NewLine}{Environment.NewLine}" +
            $"- date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC{Environment.NewLine}" +
            $"- machine: {MachineInfo.Describe()}{Environment.NewLine}- run: {runDescription}{Environment.NewLine}" +
            Markdown(results));
        var csv = new StringBuilder("series,background,round_trips,dropped,p50_us,p99_us,p999_us,max_us,p999_ratio_to_alone\n");
        foreach (var row in results.Series)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Series.Name()},\"{row.Series.Background()}\",{row.Count},{row.Dropped},{row.P50Micros:0.0}," +
                $"{row.P99Micros:0.0},{row.P999Micros:0.0},{row.MaxMicros:0.0},{results.TailRatio(row.Series):0.000}"));
        }
        File.WriteAllText(Path.Combine(directory, "latency.csv"), csv.ToString());
        return markdown;
    }

    private static string Count(LatencyDistribution row) =>
        row.Dropped == 0 ? row.Count.ToString(CultureInfo.InvariantCulture) : $"{row.Count} ({row.Dropped} dropped)";

    private static string Us(double micros) =>
        double.IsNaN(micros) ? "-" : micros.ToString(micros < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private static string Ratio(LatencyResults results, LatencyDistribution row) =>
        row.Series == LatencySeries.Alone
            ? "1.00"
            : results.TailRatio(row.Series) is { } ratio
                ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + (row.Series.InOtherVm() ? " (control)" : "")
                : "-";
}
