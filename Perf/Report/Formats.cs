using System.Globalization;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Report;

/// <summary>How rates, sizes and bytes read in the report and on the charts.</summary>
public static class Formats
{
    /// <summary>"3.29 M/s", "17.1 k/s" for round trips; "44.8 GB/s" for copies.</summary>
    public static string Rate(double rate, RateUnit unit) => unit switch
    {
        RateUnit.GigabytesPerSecond => Invariant($"{rate:0.0} GB/s"),
        _ => Count(rate) + "/s",
    };

    /// <summary>"3.29 M", "17.1 k", "950".</summary>
    public static string Count(double value) => value switch
    {
        >= 1e6 => Invariant($"{value / 1e6:0.00} M"),
        >= 1e3 => Invariant($"{value / 1e3:0.0} k"),
        _ => Invariant($"{value:0}"),
    };

    /// <summary>"4 KB", "64 KB", "1 MB", "4 MB" (binary units, as the seed's block sizes).</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 when bytes % (1 << 20) == 0 => Invariant($"{bytes >> 20} MB"),
        >= 1 << 10 when bytes % (1 << 10) == 0 => Invariant($"{bytes >> 10} KB"),
        _ => Invariant($"{bytes} B"),
    };

    /// <summary>Formats with the invariant culture, so reports read the same on every machine.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
