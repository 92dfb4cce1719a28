namespace M3Actors.ClusterBridge.Copies;

/// <summary>
/// The arrays that carry vcopy chunks to another node, reused across chunks and copies. A chunk's batch goes to
/// Akka.Remote as it is (its serializer API takes an exact-size <c>byte[]</c> and may keep it until the transport has
/// written it), so an array is taken back only once the destination acknowledged its chunk: the acknowledgement proves
/// the bytes were written to the wire and nothing reads the array any more. A chunk still unacknowledged when its copy
/// ends otherwise is left to the GC, never reused. Arrays are kept by exact length (the full chunks of a copy share a
/// length; only the first, with a shorter offset, and the last differ), at most <see cref="Capacity"/> in the process:
/// a window's worth of full chunks of two copies at once; when full, a returned array replaces a kept one.
/// </summary>
internal sealed class ChunkBuffers
{
    /// <summary>The process's arrays, shared by every VM's copies.</summary>
    internal static readonly ChunkBuffers Shared = new();

    /// <summary>Most arrays kept for reuse (~1 MiB of 64 KiB chunks).</summary>
    internal const int Capacity = 2 * CopySource.Window;

    private readonly Lock _gate = new();
    private readonly byte[]?[] _free = new byte[Capacity][];
    private int _count;
    private int _replace;

    /// <summary>An array of exactly <paramref name="length"/> bytes: a kept one if one fits, else a new one.</summary>
    internal byte[] Rent(int length)
    {
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_free[i]!.Length != length) continue;
                var array = _free[i]!;
                _free[i] = _free[--_count];
                _free[_count] = null;
                return array;
            }
        }
        return new byte[length];
    }

    /// <summary>
    /// Keeps <paramref name="batch"/> for a later chunk. Only for an array nothing reads any more: an acknowledged
    /// chunk's, or one never handed to Akka.
    /// </summary>
    internal void Return(byte[] batch)
    {
        lock (_gate)
        {
            // Full: the newest array takes the place of one kept, so lengths that no longer come are not kept forever.
            if (_count < Capacity) _free[_count++] = batch;
            else _free[_replace++ % Capacity] = batch;
        }
    }
}
