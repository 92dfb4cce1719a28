using System.Runtime.Serialization;

namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// The frames of a vcopy across nodes (<see cref="FrameKind.CopyFrom"/> to <see cref="FrameKind.CopyClose"/>). They
/// travel in the same batches and codec as the IPC frames: the correlation id is the copy's number on its requester's
/// node, the caller the requester, the partner the party the frame is about. Instead of a 64-byte message a copy
/// frame carries a few varint fields (kept in the frame's message ints, so <see cref="IpcFrame"/> stays one type):
/// an open carries the party's buffer, offset, length and the other party's node; a chunk the requester's node, its
/// offset and its length, followed by its bytes; an ack the requester's node and the bytes written so far.
/// </summary>
internal static class CopyFrames
{
    /// <summary>Most bytes one chunk carries: one chunk is one batch, well under Akka.Remote's 128 000-byte frame.</summary>
    internal const int MaxChunkBytes = 64 * 1024;

    // Field indexes (message ints) of each kind.
    private const int Buffer = 0, Offset = 1, Length = 2, PeerNode = 3;
    private const int RequesterNode = 0, ChunkOffset = 1, ChunkLength = 2, Written = 1;

    /// <summary>How many varint fields a frame of <paramref name="kind"/> carries after its header.</summary>
    internal static int FieldsOf(FrameKind kind) => kind switch
    {
        FrameKind.CopyFrom or FrameKind.CopyTo => 4,
        FrameKind.CopyChunk => 3,
        FrameKind.CopyAck => 2,
        _ => 0,
    };

    /// <summary>True for the frames the copy engine handles.</summary>
    internal static bool IsCopy(FrameKind kind) => kind >= FrameKind.CopyFrom;

    /// <summary>
    /// Checks a chunk's header fields and that its bytes are all there (the input is untrusted); returns where the
    /// next frame starts.
    /// </summary>
    internal static int SkipChunkData(ReadOnlySpan<byte> source, int at, in Message fields)
    {
        var length = fields.GetInt(ChunkLength);
        if (length is <= 0 or > MaxChunkBytes)
            throw new SerializationException($"a vcopy chunk of {length} bytes is outside 1..{MaxChunkBytes}");
        if (fields.GetInt(ChunkOffset) < 0)
            throw new SerializationException($"a vcopy chunk's offset {fields.GetInt(ChunkOffset)} is negative");
        if (source.Length - at < length)
            throw new SerializationException($"a vcopy chunk ends after {source.Length - at} of its {length} bytes");
        return at + length;
    }

    /// <summary>An open of the source (<see cref="FrameKind.CopyFrom"/>) or the destination
    /// (<see cref="FrameKind.CopyTo"/>).</summary>
    internal static IpcFrame Open(FrameKind kind, long copy, Endpoint requester, Endpoint party, BufferAddress address,
        int bytes, int peerNode)
    {
        var fields = default(Message);
        fields.SetInt(Buffer, address.Buffer);
        fields.SetInt(Offset, address.Offset);
        fields.SetInt(Length, bytes);
        fields.SetInt(PeerNode, peerNode);
        return new IpcFrame(kind, copy, requester, party, IpcStatus.Ok, in fields);
    }

    /// <summary>The address an open names.</summary>
    internal static BufferAddress AddressOf(in IpcFrame open) =>
        new(open.Message.GetInt(Buffer), open.Message.GetInt(Offset));

    /// <summary>The length an open names.</summary>
    internal static int LengthOf(in IpcFrame open) => open.Message.GetInt(Length);

    /// <summary>The other party's node an open names.</summary>
    internal static int PeerNodeOf(in IpcFrame open) => open.Message.GetInt(PeerNode);

    /// <summary>A status-only frame: <see cref="FrameKind.CopyReady"/>, <see cref="FrameKind.CopyDone"/> or
    /// <see cref="FrameKind.CopyClose"/> (always Ok).</summary>
    internal static IpcFrame Status(FrameKind kind, long copy, Endpoint requester, Endpoint party, IpcStatus status) =>
        new(kind, copy, requester, party, status, default);

    /// <summary>The destination's acknowledgement: <paramref name="written"/> bytes are in place, or why not.</summary>
    internal static IpcFrame Ack(long copy, Endpoint requester, int requesterNode, int written, IpcStatus status)
    {
        var fields = default(Message);
        fields.SetInt(RequesterNode, requesterNode);
        fields.SetInt(Written, written);
        return new IpcFrame(FrameKind.CopyAck, copy, requester, Endpoint.None, status, in fields);
    }

    /// <summary>The requester's node a chunk or an ack names.</summary>
    internal static int RequesterNodeOf(in IpcFrame frame) => frame.Message.GetInt(RequesterNode);

    /// <summary>The bytes written so far that an ack reports.</summary>
    internal static int WrittenOf(in IpcFrame ack) => ack.Message.GetInt(Written);

    /// <summary>A chunk's offset in the copy.</summary>
    internal static int ChunkOffsetOf(in IpcFrame chunk) => chunk.Message.GetInt(ChunkOffset);

    /// <summary>
    /// A batch holding one chunk frame of <paramref name="length"/> bytes: its header is written, and
    /// <paramref name="data"/> is where the chunk's bytes go (read straight from the source's buffer into the array
    /// Akka.Remote sends, the one copy a chunk takes on this side). The array, of exactly the batch's length, comes
    /// from <paramref name="allocate"/> (reused chunk arrays) or is new: the header is written here, and the caller
    /// must fill <paramref name="data"/>, so no byte of an earlier chunk is left in it.
    /// </summary>
    internal static byte[] ChunkBatch(long copy, Endpoint requester, Endpoint destination, int requesterNode,
        int offset, int length, out Span<byte> data, Func<int, byte[]>? allocate = null)
    {
        var fields = default(Message);
        fields.SetInt(RequesterNode, requesterNode);
        fields.SetInt(ChunkOffset, offset);
        fields.SetInt(ChunkLength, length);
        var frame = new IpcFrame(FrameKind.CopyChunk, copy, requester, destination, IpcStatus.Ok, in fields);
        Span<byte> header = stackalloc byte[FrameCodec.MaxFrameSize];
        var size = 0;
        FrameCodec.Write(in frame, header, ref size);
        var batch = allocate?.Invoke(1 + size + length) ?? new byte[1 + size + length];
        batch[0] = FrameCodec.Version;
        header[..size].CopyTo(batch.AsSpan(1));
        data = batch.AsSpan(1 + size, length);
        return batch;
    }

    /// <summary>The bytes of the chunk frame that ends at <paramref name="end"/> in <paramref name="batch"/>.</summary>
    internal static ReadOnlySpan<byte> ChunkData(in IpcFrame chunk, byte[] batch, int end)
    {
        var length = chunk.Message.GetInt(ChunkLength);
        return batch.AsSpan(end - length, length);
    }

    /// <summary>A chunk's length.</summary>
    internal static int ChunkLengthOf(in IpcFrame chunk) => chunk.Message.GetInt(ChunkLength);
}
