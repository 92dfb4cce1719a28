using Akka.Actor;
using Akka.Serialization;

namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// Akka serializer for <see cref="FrameBatch"/>: the batch's bytes are already the wire form, so writing copies
/// nothing, and reading checks every frame (<see cref="FrameCodec.Validate"/>; network input is untrusted) before the
/// node proxy decodes them. No manifest, no reflection. The only allocations are the ones Akka's API demands, per
/// batch and not per frame: the batch's byte array and its wrapper. Akka's JSON default put 189 bytes on the wire for
/// the 64-byte message alone.
/// </summary>
internal sealed class IpcFrameSerializer(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>The serializer id registered with Akka (ids up to 100 are Akka's own).</summary>
    internal const int Id = 7301;

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override bool IncludeManifest => false;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => obj is FrameBatch batch
        ? batch.Bytes
        : throw new ArgumentException(
            $"{nameof(IpcFrameSerializer)} serializes only {nameof(FrameBatch)}, not {obj?.GetType()}", nameof(obj));

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, Type type)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        FrameCodec.Validate(bytes);
        return new FrameBatch(bytes);
    }
}
