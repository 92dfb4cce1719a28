using System.Runtime.Serialization;

namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// The compact wire form of <see cref="IpcFrame"/>s, several to a <see cref="FrameBatch"/>: a batch is a version
/// byte and its frames back to back; a frame is its kind (one byte), the status (answers only), correlation id,
/// caller and partner as zigzag varints and, when it carries one, the message's type (varint) and its 56 payload
/// bytes; a vcopy frame carries a few varint fields instead of the message, and a chunk its bytes after them
/// (<see cref="CopyFrames"/>). A sendrec's request is ~64 bytes and its reply ~65 where the fixed layout took 88; the Akka.Remote envelope
/// (~81 bytes) is paid once per batch. Nothing allocates. Input from the network is untrusted: every field is checked
/// on read, and a bad frame is a <see cref="SerializationException"/> that says what was wrong.
/// </summary>
internal static class FrameCodec
{
    /// <summary>The batch layout this version writes and reads (1 was the fixed 88-byte frame).</summary>
    internal const byte Version = 2;

    /// <summary>Most bytes one frame takes.</summary>
    internal const int MaxFrameSize =
        1 + 3 * Varint.MaxBytes32 + Varint.MaxBytes64 + Varint.MaxBytes32 + Message.PayloadSize;

    /// <summary>
    /// Writes <paramref name="frame"/> at <paramref name="at"/> (room for <see cref="MaxFrameSize"/>), which advances
    /// past it.
    /// </summary>
    internal static void Write(in IpcFrame frame, Span<byte> destination, ref int at)
    {
        if (destination.Length - at < MaxFrameSize)
            throw new ArgumentException(
                $"a frame needs up to {MaxFrameSize} bytes, the destination has {destination.Length - at} at {at}",
                nameof(destination));
        destination[at++] = (byte)frame.Kind;
        if (IsAnswer(frame.Kind)) Varint.Write(destination, ref at, (int)frame.Status);
        Varint.Write(destination, ref at, frame.Correlation);
        Varint.Write(destination, ref at, frame.Caller.Value);
        Varint.Write(destination, ref at, frame.Partner.Value);
        if (CopyFrames.FieldsOf(frame.Kind) is var fields and > 0)
        {
            var copy = frame.Message;
            for (var i = 0; i < fields; i++) Varint.Write(destination, ref at, copy.GetInt(i));
        }
        if (!frame.CarriesMessage) return;
        var message = frame.Message;
        Varint.Write(destination, ref at, message.Type);
        message.Payload.CopyTo(destination[at..]);
        at += Message.PayloadSize;
    }

    /// <summary>Reads the frame at <paramref name="at"/>, which advances past it.</summary>
    internal static IpcFrame Read(ReadOnlySpan<byte> source, ref int at)
    {
        var kind = (FrameKind)source[at++];
        if (!Enum.IsDefined(kind)) throw new SerializationException($"IPC frame kind {(byte)kind} is unknown");
        var status = IpcStatus.Ok;
        if (IsAnswer(kind))
        {
            status = (IpcStatus)Varint.Read32(source, ref at, "status");
            if (!Enum.IsDefined(status) || status == IpcStatus.Suspended)
                throw new SerializationException($"IPC frame status {(int)status} is not a status code");
        }
        var correlation = Varint.Read64(source, ref at, "correlation");
        var caller = new Endpoint(Varint.Read32(source, ref at, "caller"));
        var partner = new Endpoint(Varint.Read32(source, ref at, "partner"));
        var message = default(Message);
        for (var i = 0; i < CopyFrames.FieldsOf(kind); i++) message.SetInt(i, Varint.Read32(source, ref at, "copy field"));
        if (kind == FrameKind.CopyChunk) at = CopyFrames.SkipChunkData(source, at, message);
        if (IpcFrame.CarriesMessageFor(kind, status))
        {
            message.Type = Varint.Read32(source, ref at, "message type");
            if (source.Length - at < Message.PayloadSize)
                throw new SerializationException(
                    $"IPC frame ends inside its message: {source.Length - at} of {Message.PayloadSize} payload bytes");
            source.Slice(at, Message.PayloadSize).CopyTo(message.Payload);
            at += Message.PayloadSize;
        }
        return new IpcFrame(kind, correlation, caller, partner, status, in message);
    }

    /// <summary>Checks a whole batch (version, then whole frames to its end); returns its number of frames.</summary>
    internal static int Validate(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < 2)
            throw new SerializationException($"an IPC frame batch has at least 2 bytes, got {batch.Length}");
        if (batch[0] != Version)
            throw new SerializationException(
                $"IPC frame batch layout version {batch[0]} is not supported (expected {Version})");
        var frames = 0;
        for (var at = 1; at < batch.Length; frames++) Read(batch, ref at);
        return frames;
    }

    private static bool IsAnswer(FrameKind kind) =>
        kind is FrameKind.Ack or FrameKind.Reply or FrameKind.CopyReady or FrameKind.CopyAck or FrameKind.CopyDone;
}
