using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace M3Actors.Kernel;

/// <summary>
/// An endpoint's registered vcopy regions: the .NET stand-in for an address space with memory grants. Written under
/// the owner's slot lock; read under it, or by the owner's own running vcopy without it (IpcKernel.Copy.cs). Ids are
/// indexes and never reused, so a stale id cannot reach a newer region.
/// </summary>
internal sealed class BufferTable
{
    private Entry[] _entries = [];
    private int _used;

    // Checked before anything is stored: an empty region or one nobody may read or write can never take part in a
    // copy, so registering it is a mistake worth reporting at once rather than as a Range or CallDenied later.
    internal int Register(Memory<byte> region, BufferAccess access)
    {
        if (region.IsEmpty) throw new IpcException(IpcStatus.Range, "cannot register an empty buffer: no copy could use it");
        if (access is not (BufferAccess.Read or BufferAccess.Write or BufferAccess.ReadWrite))
            throw new ArgumentOutOfRangeException(nameof(access), access, "a buffer's access is Read, Write or ReadWrite");
        if (_used == _entries.Length) Array.Resize(ref _entries, Math.Max(4, _used * 2));
        // An array-backed region is kept as its array and start too: a copy then makes its span without going
        // through Memory's checks (a few ns that matter beside a 40 ns 4 KB memcpy).
        var array = MemoryMarshal.TryGetArray<byte>(region, out var segment) ? segment.Array : null;
        _entries[_used] = new Entry(region, array, segment.Offset, access, Live: true);
        return _used++;
    }

    internal bool Unregister(int id)
    {
        if ((uint)id >= (uint)_used || !_entries[id].Live) return false;
        _entries[id] = default;
        return true;
    }

    internal int Count
    {
        get
        {
            var live = 0;
            foreach (ref readonly var entry in _entries.AsSpan(0, _used)) if (entry.Live) live++;
            return live;
        }
    }

    /// <summary>Checks that [offset, offset + bytes) of the buffer exists with the needed access, or says why not.</summary>
    /// <remarks>One read of the table, so a reader racing a Register that grows it (only the owner's misuse of one
    /// endpoint from two threads could) sees the old or the new array, never an index past either: entries past
    /// the used ones are default, not live.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal IpcStatus Check(BufferAddress address, int bytes, BufferAccess needed, out string? why)
    {
        var entries = _entries;
        if ((uint)address.Buffer < (uint)entries.Length)
        {
            ref readonly var entry = ref entries[address.Buffer];
            if (entry.Live && (entry.Access & needed) == needed && address.Offset >= 0
                && (long)address.Offset + bytes <= entry.Region.Length)
            {
                why = null;
                return IpcStatus.Ok;
            }
        }
        return Explain(address, bytes, needed, out why);
    }

    // Off the inlined path: says what Check found wrong.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private IpcStatus Explain(BufferAddress address, int bytes, BufferAccess needed, out string? why)
    {
        var entries = _entries;
        if ((uint)address.Buffer >= (uint)entries.Length || !entries[address.Buffer].Live)
        {
            why = $"buffer {address.Buffer} is not registered";
            return IpcStatus.Range;
        }
        ref readonly var entry = ref entries[address.Buffer];
        if ((entry.Access & needed) != needed)
        {
            why = $"buffer {address.Buffer} is registered without {needed} access";
            return IpcStatus.CallDenied;
        }
        why = $"[{address.Offset}, {(long)address.Offset + bytes}) lies outside buffer {address.Buffer} of "
            + $"{entry.Region.Length} bytes";
        return IpcStatus.Range;
    }

    /// <summary>The bytes a successful <see cref="Check"/> of the same arguments approved, under the same lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<byte> Span(BufferAddress address, int bytes)
    {
        ref readonly var entry = ref _entries[address.Buffer];
        return entry.Array is { } array
            ? MemoryMarshal.CreateSpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array),
                entry.Start + address.Offset), bytes)
            : entry.Region.Span.Slice(address.Offset, bytes);
    }

    /// <summary>
    /// The region a successful <see cref="Check"/> approved, for a copy that goes on after the lock is released:
    /// a Memory keeps the array alive even if the owner unregisters it meanwhile.
    /// </summary>
    internal Memory<byte> Region(BufferAddress address, int bytes) =>
        _entries[address.Buffer].Region.Slice(address.Offset, bytes);

    private readonly record struct Entry(Memory<byte> Region, byte[]? Array, int Start, BufferAccess Access, bool Live);
}
