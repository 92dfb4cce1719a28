using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// Akka serializer for <see cref="IpcFrame"/>: a fixed 88-byte little-endian layout, no manifest, no reflection —
/// the only allocations are the two Akka's API demands (the byte array on write, the frame on read). Akka's JSON
/// default puts 189 bytes on the wire for the 64-byte message alone. Input from the network is untrusted, so every
/// field is checked on read and a bad frame is a <see cref="SerializationException"/> that says what was wrong.
/// </summary>
public sealed class IpcFrameSerializer(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>The serializer id registered with Akka (ids up to 100 are Akka's own).</summary>
    public const int Id = 7301;

    /// <summary>Bytes of one frame on the wire (before the transport's own envelope).</summary>
    public const int FrameSize = HeaderSize + Message.Size;

    private const int HeaderSize = 24;
    private const byte Version = 1;

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override bool IncludeManifest => false;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        if (obj is not IpcFrame frame)
            throw new ArgumentException($"{nameof(IpcFrameSerializer)} serializes only {nameof(IpcFrame)}, not {obj?.GetType()}", nameof(obj));
        var bytes = new byte[FrameSize];
        Write(frame, bytes);
        return bytes;
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, Type type) => Read(bytes);

    /// <summary>Writes <paramref name="frame"/> into <paramref name="destination"/> (at least <see cref="FrameSize"/> bytes).</summary>
    public static void Write(IpcFrame frame, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (destination.Length < FrameSize)
            throw new ArgumentException($"a frame needs {FrameSize} bytes, the destination has {destination.Length}", nameof(destination));
        destination[0] = Version;
        destination[1] = (byte)frame.Kind;
        destination[2] = destination[3] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], (int)frame.Status);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], frame.Correlation);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], frame.Caller.Value);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], frame.Partner.Value);
        var message = frame.Message;
        MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref message, 1)).CopyTo(destination[HeaderSize..]);
    }

    /// <summary>Reads one frame; throws <see cref="SerializationException"/> when the bytes are not a valid frame.</summary>
    public static IpcFrame Read(ReadOnlySpan<byte> source)
    {
        if (source.Length != FrameSize)
            throw new SerializationException($"an IPC frame is {FrameSize} bytes, got {source.Length}");
        if (source[0] != Version)
            throw new SerializationException($"IPC frame layout version {source[0]} is not supported (expected {Version})");
        var kind = (FrameKind)source[1];
        if (!Enum.IsDefined(kind)) throw new SerializationException($"IPC frame kind {source[1]} is unknown");
        if (source[2] != 0 || source[3] != 0) throw new SerializationException("IPC frame reserved bytes are not zero");
        var status = (IpcStatus)BinaryPrimitives.ReadInt32LittleEndian(source[4..]);
        if (!Enum.IsDefined(status) || status == IpcStatus.Suspended)
            throw new SerializationException($"IPC frame status {(int)status} is not a status code");
        var message = MemoryMarshal.Read<Message>(source[HeaderSize..]);
        return new IpcFrame(
            kind,
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            new Endpoint(BinaryPrimitives.ReadInt32LittleEndian(source[16..])),
            new Endpoint(BinaryPrimitives.ReadInt32LittleEndian(source[20..])),
            status,
            message);
    }
}
