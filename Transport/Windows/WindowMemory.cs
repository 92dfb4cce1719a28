using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace M3Actors.Transport.Windows;

/// <summary>
/// A mapped copy window seen as <see cref="Memory{T}"/>: the buffers a process allocates in its own window, and
/// the regions a copy reaches in another process's. The mapping lives as long as this object: a
/// <see cref="Memory{T}"/> over it keeps it alive, so the window is unmapped by the finalizer once no buffer, grant
/// or cache refers to it, never under a copy or a user still holding a buffer.
/// </summary>
internal sealed unsafe class WindowMemory : MemoryManager<byte>
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private int _released;

    internal WindowMemory(FileStream file, long length)
    {
        _map = MemoryMappedFile.CreateFromFile(file, null, length, MemoryMappedFileAccess.ReadWrite,
            HandleInheritability.None, leaveOpen: false);
        _view = _map.CreateViewAccessor(0, length);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        Base = pointer + _view.PointerOffset;
        Length = length;
    }

    // CA2015 warns that a span may outlive its manager. Every window is referenced by its attachment's CopyWindows
    // (own or cached peer) for as long as the kernel that copies through it exists, and by every buffer handed out,
    // so no span of a live copy or buffer outlives it.
#pragma warning disable CA2015
    ~WindowMemory() => Dispose(false);
#pragma warning restore CA2015

    /// <summary>The first byte of the window.</summary>
    internal byte* Base { get; }

    /// <summary>The window's length in bytes.</summary>
    internal long Length { get; }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => new(Base, (int)Math.Min(Length, int.MaxValue));

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0) => new(Base + elementIndex, default, this);

    /// <inheritdoc />
    public override void Unpin()
    {
        // A mapping never moves: pinning is a no-op.
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
