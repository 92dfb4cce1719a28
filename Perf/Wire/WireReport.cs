using System.Globalization;
using System.Text;

namespace M3Actors.Perf.Wire;

/// <summary>The wire run as a markdown table (a section of the specs report): one row per load.</summary>
public static class WireReport
{
    /// <summary>The table, preceded by what was measured and how.</summary>
    public static string Markdown(WireResults results)
    {
        var text = new StringBuilder();
        text.AppendLine("- measured: TCP payload bytes between the two node processes of the pipelined set-up " +
                        "(`ss -tinH` bytes_sent, both directions, loopback), less the cluster's background rate " +
                        "over a quiet window before the run; a round trip is two 64-byte messages");
        text.AppendLine();
        text.AppendLine(
            "| load | in flight | messages | B per message | raw B per message | background B/s | seconds |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in results.Readings)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {WireBenchmark.Name(r.Load)} | {r.InFlight} | {r.Messages} | {r.BytesPerMessage:0.0} | " +
                $"{r.RawBytesPerMessage:0.0} | {r.BackgroundBytesPerSecond:0} | {r.Seconds:0.00} |"));
        }
        return text.ToString();
    }
}
