namespace M3Actors.Perf.Latency;

/// <summary>
/// One series of the latency benchmark: the measured pair alone, or beside one kind of background churn, either in
/// the pair's own VM (sharing its kernel and lock stripes) or in another VM (the control: the same CPU load on the
/// background CPU, but no kernel state shared, so what remains is CPU and memory contention, not lock interference).
/// </summary>
public enum LatencySeries
{
    /// <summary>No background work.</summary>
    Alone,

    /// <summary>A 4 MiB vcopy every 10 ms between two endpoints whose slots share the pair's lock stripes.</summary>
    VCopy,

    /// <summary><see cref="VCopy"/> in the control VM.</summary>
    VCopyOtherVm,

    /// <summary>Bind and unbind of an endpoint every 1 ms.</summary>
    BindUnbind,

    /// <summary><see cref="BindUnbind"/> in the control VM.</summary>
    BindUnbindOtherVm,

    /// <summary>8 clients driving an FS → disk sendrec chain back to back.</summary>
    Chain,

    /// <summary><see cref="Chain"/> in the control VM.</summary>
    ChainOtherVm,
}

/// <summary>Names and traits of <see cref="LatencySeries"/>.</summary>
public static class LatencySeriesInfo
{
    /// <summary>Every series, in report order.</summary>
    public static IReadOnlyList<LatencySeries> All { get; } = Enum.GetValues<LatencySeries>();

    /// <summary>The series' name in tables, CSV and specs ("vcopy", "vcopy-other-vm", …).</summary>
    public static string Name(this LatencySeries series) => series switch
    {
        LatencySeries.Alone => "alone",
        LatencySeries.VCopy => "vcopy",
        LatencySeries.VCopyOtherVm => "vcopy-other-vm",
        LatencySeries.BindUnbind => "bind-unbind",
        LatencySeries.BindUnbindOtherVm => "bind-unbind-other-vm",
        LatencySeries.Chain => "fs-disk-chain",
        LatencySeries.ChainOtherVm => "fs-disk-chain-other-vm",
        _ => throw new ArgumentOutOfRangeException(nameof(series), series, null),
    };

    /// <summary>What runs in the background during the series.</summary>
    public static string Background(this LatencySeries series) => series switch
    {
        LatencySeries.Alone => "nothing",
        LatencySeries.VCopy or LatencySeries.VCopyOtherVm =>
            $"4 MiB vcopy every 10 ms, slots {VCopyChurn.RequesterSlot} -> {VCopyChurn.DestinationSlot}{Where(series)}",
        LatencySeries.BindUnbind or LatencySeries.BindUnbindOtherVm =>
            $"bind + unbind of slot {BindChurn.Slot} every 1 ms{Where(series)}",
        LatencySeries.Chain or LatencySeries.ChainOtherVm =>
            $"{ChainChurn.Clients} clients -> FS (slot {ChainChurn.FsSlot}) -> disk (slot {ChainChurn.DiskSlot}) " +
            $"sendrec{Where(series)}",
        _ => throw new ArgumentOutOfRangeException(nameof(series), series, null),
    };

    /// <summary>True for the control series, which run their churn in another VM: reported, never judged.</summary>
    public static bool InOtherVm(this LatencySeries series) =>
        series is LatencySeries.VCopyOtherVm or LatencySeries.BindUnbindOtherVm or LatencySeries.ChainOtherVm;

    private static string Where(LatencySeries series) => series.InOtherVm() ? ", in another VM" : ", same VM";
}
