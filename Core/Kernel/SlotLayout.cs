namespace M3Actors.Kernel;

/// <summary>
/// The byte layout of a slot record: the fixed <see cref="SlotRecord"/>, then three bitmaps of one bit per slot of
/// the VM (pending notifications, owed replies of rulebook §12.1, allowed destinations), the whole rounded up to
/// whole cache lines. The one source of the record size, for private regions and for the transport's arena file.
/// </summary>
internal static class SlotLayout
{
    /// <summary>One cache line on x64 and arm64: records start on one, so no two slots share a line.</summary>
    internal const int CacheLine = 64;

    /// <summary>Bytes of the fixed part (<see cref="SlotRecord"/>).</summary>
    internal const int FixedSize = 4 * CacheLine;

    /// <summary>64-bit words of one bitmap of a VM with <paramref name="slots"/> slots.</summary>
    internal static int BitmapWords(int slots) => (slots + 63) / 64;

    /// <summary>Bytes of a slot record of a VM with <paramref name="slots"/> slots (whole cache lines).</summary>
    internal static int RecordSize(int slots)
    {
        if (slots is < 1 or > Endpoint.MaxSlotsPerVm)
            throw new ArgumentOutOfRangeException(nameof(slots), slots, $"a VM has 1..{Endpoint.MaxSlotsPerVm} slots");
        var bytes = FixedSize + 3 * BitmapWords(slots) * sizeof(ulong);
        return (bytes + CacheLine - 1) / CacheLine * CacheLine;
    }

    /// <summary>Offset in a record of the pending-notification bitmap.</summary>
    internal static int NotifyOffset => FixedSize;

    /// <summary>Offset in a record of the owed-reply bitmap.</summary>
    internal static int OwedOffset(int slots) => FixedSize + BitmapWords(slots) * sizeof(ulong);

    /// <summary>Offset in a record of the allowed-destination bitmap.</summary>
    internal static int DestinationsOffset(int slots) => FixedSize + 2 * BitmapWords(slots) * sizeof(ulong);
}
