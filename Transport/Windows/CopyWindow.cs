using System.Runtime.CompilerServices;
using M3Actors.Kernel;

namespace M3Actors.Transport.Windows;

/// <summary>
/// One process's copy window of a shared VM: a file in the arena's directory (owner-only, 0600) that the process
/// allocates its vcopy-able buffers from and that every other process of the VM maps on its first copy with a party
/// of this process. The file starts with a grant table — one entry per registered buffer that lies in the window:
/// the owner's endpoint and binding incarnation, the buffer id, its access, and the region's place in the window —
/// so the process that runs a copy finds a foreign party's region without asking its process, and copies window to
/// window. Entries are written by the owner under the buffer owner's slot lock and read under the same lock.
/// </summary>
internal sealed unsafe class CopyWindow
{
    /// <summary>Where the buffers start: the header and grant table fill the first 64 KiB.</summary>
    internal const int DataOffset = 64 * 1024;

    /// <summary>Alignment of every buffer (a cache line).</summary>
    internal const int Alignment = 64;

    private const int HeaderSize = 64;
    private const int GrantSize = 32;
    private const int MaxGrants = (DataOffset - HeaderSize) / GrantSize;
    private const long MagicValue = 0x574F444E_49573341;     // "A3WINDOW", little-endian

    private readonly WindowMemory _memory;
    private long _next = DataOffset;

    private CopyWindow(WindowMemory memory) => _memory = memory;

    /// <summary>The mapping (to make buffers and regions of it).</summary>
    internal WindowMemory Memory => _memory;

    private ref long Magic => ref Unsafe.AsRef<long>(_memory.Base);

    private ref int GrantCount => ref Unsafe.AsRef<int>(_memory.Base + 8);

    /// <summary>Creates this process's window file of <paramref name="dataBytes"/> bytes of buffers.</summary>
    internal static CopyWindow Create(string path, long dataBytes)
    {
        if (!OperatingSystem.IsLinux()) throw Native.LinuxSys.NotLinux();      // the attach checked it already
        // A file of the same name is a leftover of a crashed earlier run of this (index, incarnation): replace it.
        File.Delete(path);
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite | FileShare.Delete,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        try
        {
            file.SetLength(DataOffset + dataBytes);      // sparse: tmpfs commits only the pages buffers touch
            var window = new CopyWindow(new WindowMemory(file, DataOffset + dataBytes));
            Volatile.Write(ref window.Magic, MagicValue);
            return window;
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Maps another process's window, or returns null when it has none (it allocated no buffer).</summary>
    internal static CopyWindow? Open(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite | FileShare.Delete,
            });
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        try
        {
            var status = Native.FileStatus.Of(file.SafeFileHandle);
            const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            if (!status.IsRegular || status.OwnerUid != Native.LinuxSys.GetEuid() || (status.Mode & ~ownerOnly) != 0)
                throw new IpcException(IpcStatus.CallDenied, $"copy window {path} is not a private file of this user");
            var window = new CopyWindow(new WindowMemory(file, file.Length));
            return window.Magic == MagicValue ? window : null;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A new 64-byte aligned buffer of <paramref name="bytes"/> bytes (this process's window only).</summary>
    internal Memory<byte> Allocate(int bytes)
    {
        var size = (bytes + Alignment - 1) / Alignment * Alignment;
        var end = Interlocked.Add(ref _next, size);
        if (end > _memory.Length)
        {
            Interlocked.Add(ref _next, -size);
            throw new IpcException(IpcStatus.Range,
                $"the copy window has {_memory.Length - Volatile.Read(ref _next)} of {_memory.Length - DataOffset} " +
                $"bytes free, fewer than the {bytes} asked for (raise SharedVmOptions.CopyWindowBytes)");
        }
        return _memory.Memory.Slice((int)(end - size), bytes);
    }

    /// <summary>
    /// Publishes <paramref name="region"/> as buffer <paramref name="id"/> of <paramref name="owner"/> when it lies in
    /// this window; a region elsewhere stays reachable only inside this process.
    /// </summary>
    internal void Grant(Proc owner, int id, Memory<byte> region, BufferAccess access)
    {
        if (!System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, WindowMemory>(region,
                out var manager, out var start, out var length) || manager != _memory) return;
        var index = Interlocked.Increment(ref GrantCount) - 1;
        if (index >= MaxGrants)
        {
            Interlocked.Decrement(ref GrantCount);
            throw new IpcException(IpcStatus.Range, $"the copy window's grant table is full ({MaxGrants} buffers)");
        }
        var grant = Grant(index);
        grant[0] = owner.Ep.Value;
        grant[1] = owner.Record->Incarnation;
        grant[2] = id;
        ((long*)grant)[2] = start;
        ((long*)grant)[3] = length;
        Volatile.Write(ref grant[3], (int)access);      // last: a reader that sees the access sees the entry
    }

    /// <summary>Withdraws buffer <paramref name="id"/> of <paramref name="owner"/> (unregistered).</summary>
    internal void Revoke(Proc owner, int id)
    {
        var grant = Find(owner.Ep, owner.Record->Incarnation, id);
        if (grant != null) Volatile.Write(ref grant[3], 0);
    }

    /// <summary>
    /// The region of [offset, offset + bytes) of <paramref name="party"/>'s buffer with the needed access, or why
    /// not: the rulebook's Range for a buffer it does not have or a span outside it, CallDenied for the access.
    /// </summary>
    internal IpcStatus Resolve(Proc party, BufferAddress address, int bytes, BufferAccess needed,
        out Memory<byte> region, out string? why)
    {
        region = default;
        why = null;
        var grant = Find(party.Ep, party.Record->Incarnation, address.Buffer);
        if (grant == null)
        {
            why = $"buffer {address.Buffer} is not registered in its process's copy window (Vm.AllocateCopyBuffer)";
            return IpcStatus.Range;
        }
        if (((BufferAccess)grant[3] & needed) != needed)
        {
            why = $"buffer {address.Buffer} is registered without {needed} access";
            return IpcStatus.CallDenied;
        }
        var length = ((long*)grant)[3];
        if (address.Offset < 0 || (long)address.Offset + bytes > length)
        {
            why = $"[{address.Offset}, {(long)address.Offset + bytes}) lies outside buffer {address.Buffer} " +
                $"of {length} bytes";
            return IpcStatus.Range;
        }
        region = _memory.Memory.Slice((int)((long*)grant)[2] + address.Offset, bytes);
        return IpcStatus.Ok;
    }

    // The live grant of (endpoint, incarnation, id), newest first: a later binding of a system slot keeps its
    // endpoint value but not its incarnation, so an earlier binding's grants never match.
    private int* Find(Endpoint owner, int incarnation, int id)
    {
        for (var i = Math.Min(Volatile.Read(ref GrantCount), MaxGrants) - 1; i >= 0; i--)
        {
            var grant = Grant(i);
            if (grant[0] == owner.Value && grant[1] == incarnation && grant[2] == id
                && Volatile.Read(ref grant[3]) != 0) return grant;
        }
        return null;
    }

    private int* Grant(int index) => (int*)(_memory.Base + HeaderSize + (long)index * GrantSize);
}
