namespace M3Actors.Kernel;

/// <summary>
/// An endpoint's registered vcopy regions: the .NET stand-in for an address space with memory grants. Guarded by the
/// owner's slot lock. Ids are indexes and never reused, so a stale id cannot reach a newer region.
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
        _entries[_used] = new Entry(region, access, Live: true);
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

    // Resolves [offset, offset + bytes) of buffer id with the needed access, or says why not.
    internal IpcStatus TryResolve(BufferAddress address, int bytes, BufferAccess needed, out Memory<byte> slice, out string? why)
    {
        slice = default;
        why = null;
        if ((uint)address.Buffer >= (uint)_used || !_entries[address.Buffer].Live)
        {
            why = $"buffer {address.Buffer} is not registered";
            return IpcStatus.Range;
        }
        ref readonly var entry = ref _entries[address.Buffer];
        if ((entry.Access & needed) != needed)
        {
            why = $"buffer {address.Buffer} is registered without {needed} access";
            return IpcStatus.CallDenied;
        }
        if (address.Offset < 0 || (long)address.Offset + bytes > entry.Region.Length)
        {
            why = $"[{address.Offset}, {(long)address.Offset + bytes}) lies outside buffer {address.Buffer} of {entry.Region.Length} bytes";
            return IpcStatus.Range;
        }
        slice = entry.Region.Slice(address.Offset, bytes);
        return IpcStatus.Ok;
    }

    private readonly record struct Entry(Memory<byte> Region, BufferAccess Access, bool Live);
}
