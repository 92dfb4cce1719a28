using System.Buffers;
using M3Actors.ClusterBridge.Frames;
using M3Actors.ClusterBridge.Proxies;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Copies;

/// <summary>
/// The source's side of a vcopy across nodes, on the source's node: streams the pinned party's bytes to the
/// destination's node in chunks of up to <see cref="CopyFrames.MaxChunkBytes"/>, keeping up to <see cref="Window"/>
/// chunks unacknowledged (not stop-and-wait: the link stays busy while acknowledgements travel back). Each chunk is
/// read under the party's lock straight into the batch that carries it, an array reused once its chunk is
/// acknowledged (<see cref="ChunkBuffers"/>). When the destination has acknowledged every
/// byte, or a side failed (SrcDied here, the destination's status, NotConnected), the requester hears the outcome once.
/// When the destination is on this node too, the chunks are written to it directly.
/// </summary>
internal sealed class CopySource
{
    /// <summary>How many chunks may be on their way unacknowledged: 512 KiB, a few round trips' worth on a LAN.</summary>
    internal const int Window = 8;

    // One delegate for every chunk (a method group of an instance would allocate one per call).
    private static readonly Func<int, byte[]> RentChunk = ChunkBuffers.Shared.Rent;

    private readonly IpcKernel _kernel;
    private readonly Endpoint _requester;
    private readonly Proc _party;
    private readonly Endpoint _destination;
    private readonly Memory<byte> _region;
    private readonly NodeLink? _destinationLink;
    private readonly CopyDestination? _localDestination;
    private readonly bool _pinnedHere;
    private readonly Action<CopySource, IpcStatus> _ended;
    private readonly Lock _gate = new();
    // The chunks on their way (each one's end in the copy, and its batch array), oldest first: an array goes back to
    // ChunkBuffers once the destination acknowledged its chunk.
    private readonly Queue<(int End, byte[] Batch)> _unacknowledged = new(Window);
    private int _sent;
    private int _written;
    private bool _finished;
    private bool _closed;

    /// <summary>
    /// A source streaming <paramref name="region"/> of pinned <paramref name="party"/> to <paramref name="destination"/>
    /// on <paramref name="destinationLink"/>'s node, or straight into <paramref name="localDestination"/> on this one;
    /// <paramref name="ended"/> hears the outcome once.
    /// </summary>
    internal CopySource(IpcKernel kernel, CopyKey key, Endpoint requester, Proc party, Memory<byte> region,
        Endpoint destination, NodeLink? destinationLink, CopyDestination? localDestination, bool pinnedHere,
        Action<CopySource, IpcStatus> ended)
    {
        (_kernel, Key, _requester, _party, _region, _destination) = (kernel, key, requester, party, region, destination);
        (_destinationLink, _localDestination, _pinnedHere, _ended) = (destinationLink, localDestination, pinnedHere, ended);
    }

    /// <summary>The copy this side belongs to.</summary>
    internal CopyKey Key { get; }

    /// <summary>The source party.</summary>
    internal Endpoint Party => _party.Ep;

    /// <summary>True when the chunks go to <paramref name="node"/> over its link.</summary>
    internal bool StreamsTo(int node) => _destinationLink?.NodeId == node;

    /// <summary>Starts streaming (or, to a destination on this node, copies everything).</summary>
    internal void Start()
    {
        lock (_gate)
        {
            if (_localDestination is not null) CopyHere();
            else Pump();
        }
    }

    /// <summary>
    /// The destination's node acknowledged <paramref name="written"/> bytes, or failed with <paramref name="status"/>;
    /// false when the acknowledgement fits no chunk on its way (it is dropped).
    /// </summary>
    internal bool Acknowledged(int written, IpcStatus status)
    {
        lock (_gate)
        {
            if (_finished) return true;     // a late answer after the copy ended here: nothing to do
            if (status != IpcStatus.Ok)
            {
                Finish(status);
                return true;
            }
            if (written <= _written || written > _sent) return false;
            _written = written;
            while (_unacknowledged.TryPeek(out var chunk) && chunk.End <= written)
                ChunkBuffers.Shared.Return(_unacknowledged.Dequeue().Batch);
            if (_written == _region.Length) Finish(IpcStatus.Ok);
            else Pump();
            return true;
        }
    }

    /// <summary>Ends the copy here with <paramref name="status"/> unless it has ended (the destination's node
    /// lost).</summary>
    internal void Fail(IpcStatus status)
    {
        lock (_gate)
            if (!_finished) Finish(status);
    }

    /// <summary>The requester closed the copy (or its node was lost, or the VM ended): stop, and unpin a party pinned
    /// here.</summary>
    internal void Close()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = _finished = true;
        }
        if (_pinnedHere) _kernel.UnpinRemoteCopy(_party);
    }

    // Holds _gate. Sends chunks until the window is full or every byte is on its way.
    private void Pump()
    {
        if (_region.Length == 0)
        {
            Finish(IpcStatus.Ok);
            return;
        }
        while (!_finished && _sent < _region.Length
               && _sent - _written < Window * CopyFrames.MaxChunkBytes)
        {
            var n = Math.Min(CopyFrames.MaxChunkBytes, _region.Length - _sent);
            var batch = CopyFrames.ChunkBatch(Key.Copy, _requester, _destination, Key.RequesterNode, _sent, n,
                out var data, RentChunk);
            var read = _kernel.ReadChunk(_party, _region, _sent, data, last: _sent + n == _region.Length);
            if (read != IpcStatus.Ok)
            {
                ChunkBuffers.Shared.Return(batch);     // never handed to Akka
                Finish(read);
            }
            else if (!_destinationLink!.SendBatch(batch)) Finish(IpcStatus.NotConnected);
            else
            {
                _sent += n;
                _unacknowledged.Enqueue((_sent, batch));
            }
        }
    }

    // Holds _gate. Source and destination on this node (the requester on another): chunk by chunk, through one
    // pooled chunk buffer, each side's lock taken for its half only.
    private void CopyHere()
    {
        var chunk = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(_region.Length, 1), CopyFrames.MaxChunkBytes));
        try
        {
            var status = IpcStatus.Ok;
            for (var done = 0; status == IpcStatus.Ok && done < _region.Length;)
            {
                var n = Math.Min(CopyFrames.MaxChunkBytes, _region.Length - done);
                status = _kernel.ReadChunk(_party, _region, done, chunk.AsSpan(0, n), last: done + n == _region.Length);
                if (status != IpcStatus.Ok) break;
                if (!_localDestination!.Write(done, chunk.AsSpan(0, n), out status, out _)) status = IpcStatus.DstDied;
                done += n;
            }
            Finish(status);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    // Holds _gate.
    private void Finish(IpcStatus status)
    {
        _finished = true;
        _ended(this, status);
    }
}
