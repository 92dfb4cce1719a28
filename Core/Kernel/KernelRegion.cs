using System.Runtime.InteropServices;
using System.Text.Unicode;

namespace M3Actors.Kernel;

/// <summary>
/// The memory a VM's kernel state lives in: one record per slot (<see cref="SlotRecord"/> plus its bitmaps, laid out
/// by <see cref="SlotLayout"/>), starting on a cache line. A private region (<see cref="Allocate"/>) is native memory
/// of this process, zeroed and, for large VMs, committed only as pages are touched; a shared region
/// (<see cref="Over"/>) is memory someone else supplies, such as the slot-record area of a transport's arena file.
/// Every <see cref="Proc"/> view references its region, so a private region is freed (by the finalizer) only once
/// no view, kernel, late timer or snapshot can still read it.
/// </summary>
internal sealed unsafe class KernelRegion
{
    private readonly byte* _base;
    private readonly void* _allocation;     // owned native memory to free, or null for a supplied region
    private readonly long _allocatedBytes;
    private readonly object? _owner;

    private KernelRegion(byte* recordBase, int slots, void* allocation, long allocatedBytes, object? owner,
        int processIndex)
    {
        _base = recordBase;
        ProcessIndex = processIndex;
        Slots = slots;
        RecordSize = SlotLayout.RecordSize(slots);
        BitmapWords = SlotLayout.BitmapWords(slots);
        _allocation = allocation;
        _allocatedBytes = allocatedBytes;
        _owner = owner;
    }

    /// <summary>Slot records in the region (the VM's system + user slots).</summary>
    internal int Slots { get; }

    /// <summary>Bytes per record, from <see cref="SlotLayout.RecordSize"/>.</summary>
    internal int RecordSize { get; }

    /// <summary>64-bit words of each of a record's bitmaps.</summary>
    internal int BitmapWords { get; }

    /// <summary>
    /// This process's index in the arena's process table, stored in the records of the slots it binds (0 in a private
    /// region, where every owner is in this process).
    /// </summary>
    internal int ProcessIndex { get; }

    /// <summary>The object that keeps a supplied region's memory mapped (null for a private region).</summary>
    internal object? Owner => _owner;

    /// <summary>A private region for <paramref name="slots"/> slots, zeroed, freed when nothing references it.</summary>
    internal static KernelRegion Allocate(int slots)
    {
        var bytes = (long)slots * SlotLayout.RecordSize(slots) + SlotLayout.CacheLine;
        // calloc: a large block is a fresh anonymous mapping whose zero pages Linux commits only when touched.
        var raw = NativeMemory.AllocZeroed((nuint)bytes);
        var aligned = (byte*)(((nuint)raw + SlotLayout.CacheLine - 1) & ~(nuint)(SlotLayout.CacheLine - 1));
        GC.AddMemoryPressure(bytes);
        return new KernelRegion(aligned, slots, raw, bytes, owner: null, processIndex: 0);
    }

    /// <summary>
    /// A region over <paramref name="length"/> bytes at <paramref name="recordBase"/> that someone else supplies and
    /// keeps mapped while <paramref name="owner"/> is reachable (the region references it). The memory must be zeroed
    /// or hold records of this layout; it must start on a cache line and hold a record of
    /// <paramref name="recordSize"/> bytes (which must be <see cref="SlotLayout.RecordSize"/>) for every slot.
    /// <paramref name="processIndex"/> is the binding process's entry in the arena's process table.
    /// </summary>
    internal static KernelRegion Over(byte* recordBase, long length, int slots, int recordSize, object owner,
        int processIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(processIndex);
        ArgumentNullException.ThrowIfNull(owner);
        var expected = SlotLayout.RecordSize(slots);
        if (recordSize != expected)
        {
            throw new ArgumentException(
                $"a record of a {slots}-slot VM has {expected} bytes in this layout, not {recordSize}",
                nameof(recordSize));
        }
        if ((nuint)recordBase % SlotLayout.CacheLine != 0)
        {
            throw new ArgumentException($"the records must start on a {SlotLayout.CacheLine}-byte line",
                nameof(recordBase));
        }
        if (length < (long)slots * recordSize)
        {
            throw new ArgumentException(
                $"{slots} records of {recordSize} bytes need {(long)slots * recordSize} bytes, not {length}",
                nameof(length));
        }
        return new KernelRegion(recordBase, slots, null, 0, owner, processIndex);
    }

    /// <summary>Slot <paramref name="slot"/>'s record; the caller has checked the slot is in range.</summary>
    internal SlotRecord* Record(int slot) => (SlotRecord*)(_base + (long)slot * RecordSize);

    /// <summary>The pending-notification bitmap of <paramref name="slot"/>'s record.</summary>
    internal ulong* NotifyBits(int slot) => (ulong*)((byte*)Record(slot) + SlotLayout.NotifyOffset);

    /// <summary>The owed-reply bitmap of <paramref name="slot"/>'s record.</summary>
    internal ulong* OwedReplies(int slot) => (ulong*)((byte*)Record(slot) + SlotLayout.OwedOffset(Slots));

    /// <summary>The allowed-destination bitmap of <paramref name="slot"/>'s record.</summary>
    internal ulong* Destinations(int slot) => (ulong*)((byte*)Record(slot) + SlotLayout.DestinationsOffset(Slots));

    /// <summary>
    /// Writes a new binding into a free record: every data field first, then the endpoint and incarnation, the
    /// state last (a release store), so a process that dies between two stores leaves a record that is either free
    /// or whole. Returns the binding's incarnation. Holds the slot's lock.
    /// </summary>
    internal int Bind(int slot, Endpoint ep, OwnerKind kind, string owner, Privileges privileges)
    {
        var r = Record(slot);
        r->Flags = ProcFlags.None;
        r->SendTo = Endpoint.None;
        r->GetFrom = Endpoint.None;
        r->Result = IpcStatus.Ok;
        r->QueueHead = r->QueueTail = r->NextInQueue = -1;
        r->WaitWord = 0;
        r->HasOutcome = r->WorkHint = r->Copying = r->OutcomeHeld = false;
        r->Msg = default;
        r->Sent = r->Received = r->EnqueueSeq = r->NextEnqueueSeq = 0;
        r->WakeRequests = r->OwnerWait = 0;
        r->Kind = kind;
        r->ProcessIndex = ProcessIndex;
        WriteOwnerName(r, owner);
        WritePrivileges(slot, r, privileges);
        new Span<ulong>(NotifyBits(slot), BitmapWords).Clear();
        new Span<ulong>(OwedReplies(slot), BitmapWords).Clear();
        r->Endpoint = ep;
        var incarnation = r->Incarnation + 1;
        Volatile.Write(ref r->Incarnation, incarnation);
        Volatile.Write(ref r->State, (int)SlotState.Bound);
        return incarnation;
    }

    /// <summary>Where slot <paramref name="slot"/>'s record is in its life, as any process of the VM reads it.</summary>
    internal SlotState StateOf(int slot) => (SlotState)Volatile.Read(ref Record(slot)->State);

    /// <summary>The owner's name as the record holds it (possibly truncated).</summary>
    internal string OwnerName(int slot)
    {
        var name = new ReadOnlySpan<byte>(Record(slot)->OwnerName, SlotRecord.OwnerNameBytes);
        var end = name.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
    }

    // At most 55 bytes, cut on a character boundary (Utf8.FromUtf16 stops before a character that does not fit), so
    // a long name reads back as its longest whole prefix, never as a broken character.
    private static void WriteOwnerName(SlotRecord* r, string owner)
    {
        var field = new Span<byte>(r->OwnerName, SlotRecord.OwnerNameBytes);
        field.Clear();
        Utf8.FromUtf16(owner, field[..(SlotRecord.OwnerNameBytes - 1)], out _, out _);
    }

    private void WritePrivileges(int slot, SlotRecord* r, Privileges privileges)
    {
        r->Calls = privileges.Calls;
        var bits = new Span<ulong>(Destinations(slot), BitmapWords);
        bits.Clear();
        r->RestrictedDestinations = privileges.Destinations is null ? 0 : 1;
        if (privileges.Destinations is null) return;
        foreach (var destination in privileges.Destinations)
            if ((uint)destination < (uint)Slots) bits[destination >> 6] |= 1UL << (destination & 63);
    }

    ~KernelRegion()
    {
        if (_allocation is null) return;
        NativeMemory.Free(_allocation);
        GC.RemoveMemoryPressure(_allocatedBytes);
    }
}
