using M3Actors.Kernel;

namespace M3Actors.Transport.Arena;

/// <summary>
/// The sizes that fix an arena's layout: header, then the process table, then the kernel's slot records. Every
/// process of a VM must agree on them (checked at attach), so they are part of the arena's header. The record size
/// is not chosen here: it is the kernel's (<see cref="SlotLayout.RecordSize"/>) for the slot count, so the arena
/// and the kernel that runs on its records cannot disagree.
/// </summary>
/// <param name="SlotCount">Kernel slot records: the VM's system + user slots.</param>
/// <param name="ProcessTableSize">How many processes can be attached at once.</param>
internal sealed record ArenaLayout(int SlotCount, int ProcessTableSize)
{
    /// <summary>The layout version this code reads and writes; bumped at every change of the bytes' meaning.</summary>
    public const int Version = 3;

    /// <summary>One cache line on x64 and arm64: records are aligned to it so no two writers share a line.</summary>
    public const int CacheLine = SlotLayout.CacheLine;

    /// <summary>Bytes of the fixed header at offset 0.</summary>
    public const int HeaderSize = 256;

    /// <summary>Bytes per process-table entry (one cache line).</summary>
    public const int ProcessEntrySize = CacheLine;

    /// <summary>The largest process table: a lock word tags its owner with the entry index in 10 bits.</summary>
    public const int MaxProcesses = 1022;

    private const long Page = 4096;

    /// <summary>A layout that fits a default VM and a few dozen processes.</summary>
    public static ArenaLayout Default { get; } = new(SlotCount: 1024, ProcessTableSize: 64);

    /// <summary>Bytes per slot record: the kernel's record size for <see cref="SlotCount"/> slots.</summary>
    public int SlotRecordSize => SlotLayout.RecordSize(SlotCount);

    /// <summary>Offset of process-table entry 0.</summary>
    public static int ProcessTableOffset => HeaderSize;

    /// <summary>Offset of slot record 0.</summary>
    public long SlotsOffset => HeaderSize + (long)ProcessTableSize * ProcessEntrySize;

    /// <summary>The file's size: every part, rounded up to whole pages.</summary>
    public long TotalSize => (SlotsOffset + (long)SlotCount * SlotRecordSize + Page - 1) / Page * Page;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first size out of range.</summary>
    public void Validate()
    {
        if (SlotCount is < 1 or > Endpoint.MaxSlotsPerVm)
        {
            throw new ArgumentException($"SlotCount must be 1..{Endpoint.MaxSlotsPerVm}, not {SlotCount}.",
                nameof(SlotCount));
        }
        if (ProcessTableSize is < 1 or > MaxProcesses)
        {
            throw new ArgumentException(
                $"ProcessTableSize must be 1..{MaxProcesses}, not {ProcessTableSize}.", nameof(ProcessTableSize));
        }
    }
}
