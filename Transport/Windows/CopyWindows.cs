using M3Actors.Kernel;
using M3Actors.Transport.Processes;

namespace M3Actors.Transport.Windows;

/// <summary>
/// The copy windows one attachment of a shared VM deals with: its own (created on the first
/// <see cref="Allocate"/>, removed when the attachment leaves) and the other processes' (mapped on the first copy
/// that reaches one and cached per process-table entry and incarnation, so a later process at the same entry is
/// mapped afresh). A window is named <c>&lt;arena&gt;.p&lt;index&gt;-&lt;incarnation&gt;.window</c> beside the arena.
/// </summary>
internal sealed class CopyWindows(string arenaPath, ProcessTable processes, int processIndex, long windowBytes)
{
    private readonly Lock _gate = new();
    private readonly (int Incarnation, CopyWindow? Window)[] _peers = new (int, CopyWindow?)[processes.Size];
    private CopyWindow? _own;
    private string? _ownPath;

    /// <summary>A new buffer in this process's window (created on first use).</summary>
    internal Memory<byte> Allocate(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        return Own().Allocate(bytes);
    }

    /// <summary>Publishes a registered buffer of a local endpoint when it lies in this process's window.</summary>
    internal void Grant(Proc owner, int id, Memory<byte> region, BufferAccess access) =>
        Volatile.Read(ref _own)?.Grant(owner, id, region, access);

    /// <summary>Withdraws an unregistered buffer's grant.</summary>
    internal void Revoke(Proc owner, int id) => Volatile.Read(ref _own)?.Revoke(owner, id);

    /// <summary>The region of a foreign party's buffer in its process's window
    /// (see <see cref="CopyWindow.Resolve"/>).</summary>
    internal unsafe IpcStatus Resolve(Proc party, BufferAddress address, int bytes, BufferAccess needed,
        out Memory<byte> region, out string? why)
    {
        var index = Volatile.Read(ref party.Record->ProcessIndex);
        var window = (uint)index < (uint)_peers.Length ? Peer(index) : null;
        if (window is null)
        {
            region = default;
            why = $"buffer {address.Buffer} is not registered in its process's copy window (Vm.AllocateCopyBuffer)";
            return IpcStatus.Range;
        }
        return window.Resolve(party, address, bytes, needed, out region, out why);
    }

    /// <summary>Removes the window file of a process that died (mappings of it stay valid where they exist).</summary>
    internal void Forget(DeadProcess dead) => File.Delete(PathOf(dead.Index, dead.Incarnation));

    /// <summary>Removes this process's window file (its buffers stay mapped while referenced).</summary>
    internal void Leave()
    {
        if (_ownPath is not null) File.Delete(_ownPath);
    }

    private CopyWindow Own()
    {
        if (Volatile.Read(ref _own) is { } own) return own;
        lock (_gate)
        {
            if (_own is not null) return _own;
            _ownPath = PathOf(processIndex, processes.IncarnationOf(processIndex));
            Volatile.Write(ref _own, CopyWindow.Create(_ownPath, windowBytes));
            return _own;
        }
    }

    // The window of the process at entry index now; a process that made none yet is looked for again next time.
    private CopyWindow? Peer(int index)
    {
        var incarnation = processes.IncarnationOf(index);
        lock (_gate)
        {
            ref var peer = ref _peers[index];
            if (peer.Window is not null && peer.Incarnation == incarnation) return peer.Window;
            peer = (incarnation, index == processIndex ? _own : CopyWindow.Open(PathOf(index, incarnation)));
            return peer.Window;
        }
    }

    private string PathOf(int index, int incarnation) =>
        Path.ChangeExtension(arenaPath, null) + $".p{index}-{incarnation}.window";
}
