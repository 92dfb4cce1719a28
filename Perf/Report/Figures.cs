using M3Actors.Perf.Harness;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace M3Actors.Perf.Report;

/// <summary>
/// The report's two charts. Figure 1: round trips/s per mechanism, one bar per pair count, on a log axis because
/// the mechanisms span three orders of magnitude. Figure 2: copy GB/s per block size, one bar per mechanism.
/// </summary>
public static class Figures
{
    private const int Width = 1400;
    private const int Height = 800;

    /// <summary>Writes figure 1 (message transfer) to <paramref name="path"/>.</summary>
    public static void WriteMessageTransfer(string path, IReadOnlyList<Measurement> measurements)
    {
        var rows = measurements.Where(m => m.Unit == RateUnit.RoundTripsPerSecond && m.Succeeded).ToList();
        var mechanisms = rows.Select(m => $"{m.Mechanism} ({m.Test})").Distinct().ToList();
        var pairCounts = rows.Select(m => m.Pairs ?? 0).Distinct().Order().ToList();
        var plot = new Plot();
        var floor = rows.Count == 0 ? 0 : Math.Floor(Math.Log10(rows.Min(m => m.Rate!.Value)));
        var bars = new List<Bar>();
        for (var g = 0; g < mechanisms.Count; g++)
        {
            for (var p = 0; p < pairCounts.Count; p++)
            {
                if (rows.FirstOrDefault(m => $"{m.Mechanism} ({m.Test})" == mechanisms[g] && (m.Pairs ?? 0) == pairCounts[p]) is not { } row)
                {
                    continue;
                }
                bars.Add(new Bar
                {
                    Position = GroupPosition(g, pairCounts.Count) + p,
                    ValueBase = floor,
                    Value = Math.Log10(row.Rate!.Value),
                    FillColor = Palette(p),
                    Label = Formats.Count(row.Rate!.Value),
                    Orientation = Orientation.Horizontal,
                });
            }
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        plot.Axes.Left.SetTicks(
            mechanisms.Select((_, g) => GroupPosition(g, pairCounts.Count) + (pairCounts.Count - 1) / 2.0).ToArray(),
            mechanisms.ToArray());
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new LogMinorTickGenerator(),
            LabelFormatter = exponent => Formats.Count(Math.Pow(10, exponent)),
        };
        plot.Axes.Bottom.Label.Text = "round trips per second (log scale)";
        plot.Title("Figure 1 — message transfer: 64-byte request/reply round trips per second");
        for (var p = 0; p < pairCounts.Count; p++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{pairCounts[p]} pair(s)", FillColor = Palette(p) });
        }
        plot.ShowLegend(Alignment.LowerRight);
        plot.Axes.Margins(left: 0, right: 0.15);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Writes figure 2 (block copy) to <paramref name="path"/>.</summary>
    public static void WriteBlockCopy(string path, IReadOnlyList<Measurement> measurements)
    {
        var rows = measurements.Where(m => m.Unit == RateUnit.GigabytesPerSecond && m.Succeeded).ToList();
        var sizes = rows.Select(m => m.SizeBytes!.Value).Distinct().Order().ToList();
        var mechanisms = rows.Select(m => $"{m.Mechanism} ({m.Test})").Distinct().ToList();
        var plot = new Plot();
        var bars = new List<Bar>();
        for (var s = 0; s < sizes.Count; s++)
        {
            for (var k = 0; k < mechanisms.Count; k++)
            {
                if (rows.FirstOrDefault(m => m.SizeBytes == sizes[s] && $"{m.Mechanism} ({m.Test})" == mechanisms[k]) is not { } row)
                {
                    continue;
                }
                bars.Add(new Bar
                {
                    Position = GroupPosition(s, mechanisms.Count) + k,
                    Value = row.Rate!.Value,
                    FillColor = Palette(k),
                    Label = Formats.Invariant($"{row.Rate!.Value:0.0}"),
                });
            }
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(
            sizes.Select((_, s) => GroupPosition(s, mechanisms.Count) + (mechanisms.Count - 1) / 2.0).ToArray(),
            sizes.Select(Formats.Size).ToArray());
        plot.Axes.Bottom.Label.Text = "block size";
        plot.Axes.Left.Label.Text = "GB/s";
        plot.Title("Figure 2 — block copy throughput per mechanism and block size");
        for (var k = 0; k < mechanisms.Count; k++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = mechanisms[k], FillColor = Palette(k) });
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.SavePng(path, Width, Height);
    }

    // Groups of bars sit side by side with one empty slot between groups.
    private static double GroupPosition(int group, int barsPerGroup) => group * (barsPerGroup + 1);

    private static Color Palette(int index) => new ScottPlot.Palettes.Category10().GetColor(index);
}
