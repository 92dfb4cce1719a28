namespace M3Actors.Kernel;

/// <summary>
/// An endpoint's registered vcopy regions: the .NET stand-in for an address space with memory grants. Guarded by the
/// VM kernel's lock.
/// </summary>
internal sealed class BufferTable
{
    private readonly List<(Memory<byte> Region, BufferAccess Access)?> _entries = [];

    internal int Register(Memory<byte> region, BufferAccess access)
    {
        _entries.Add((region, access));
        return _entries.Count - 1;
    }

    internal bool Unregister(int id)
    {
        if ((uint)id >= (uint)_entries.Count || _entries[id] is null) return false;
        _entries[id] = null;
        return true;
    }

    internal int Count => _entries.Count(e => e is not null);

    // Resolves [offset, offset + bytes) of buffer id with the needed access, or says why not.
    internal IpcStatus TryResolve(BufferAddress address, int bytes, BufferAccess needed, out Memory<byte> slice, out string? why)
    {
        slice = default;
        if ((uint)address.Buffer >= (uint)_entries.Count || _entries[address.Buffer] is not { } entry)
        {
            why = $"buffer {address.Buffer} is not registered";
            return IpcStatus.Range;
        }
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
        why = null;
        return IpcStatus.Ok;
    }
}
