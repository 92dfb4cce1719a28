using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Copies;

/// <summary>
/// The destination's side of a vcopy across nodes, on the destination's node: the party is pinned (here by this
/// session when the requester is elsewhere, else by the requester's own kernel call), and the source's node streams
/// chunks in order, each written under the party's lock and acknowledged with the bytes written so far (or why not:
/// DstDied, VmNotRunning). A chunk that is not the next one expected (wrong node, offset, or past the end) is refused.
/// </summary>
internal sealed class CopyDestination(IpcKernel kernel, CopyKey key, Proc party, Memory<byte> region, int sourceNode,
    bool pinnedHere)
{
    private readonly Lock _gate = new();
    private int _written;
    private bool _ended;
    private bool _closed;

    /// <summary>The copy this side belongs to.</summary>
    internal CopyKey Key { get; } = key;

    /// <summary>The node the chunks must come from.</summary>
    internal int SourceNode { get; } = sourceNode;

    /// <summary>
    /// Writes the chunk at <paramref name="offset"/>; false (nothing written) when it is not the next one expected or
    /// the copy has ended here. <paramref name="status"/> is the write's outcome, <paramref name="written"/> the bytes
    /// in place after it.
    /// </summary>
    internal bool Write(int offset, ReadOnlySpan<byte> data, out IpcStatus status, out int written)
    {
        lock (_gate)
        {
            (status, written) = (IpcStatus.Ok, _written);
            if (_ended || offset != _written || data.Length > region.Length - offset) return false;
            status = kernel.WriteChunk(party, region, offset, data);
            if (status == IpcStatus.Ok) _written += data.Length;
            else _ended = true;     // the source stops at this answer; chunks already on the way are refused
            written = _written;
            return true;
        }
    }

    /// <summary>The copy ended (closed by its requester, its node lost, the VM ended): unpins a party pinned
    /// here.</summary>
    internal void Close()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = _ended = true;
        }
        if (pinnedHere) kernel.UnpinRemoteCopy(party);
    }
}
