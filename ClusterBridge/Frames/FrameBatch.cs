namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// The frames one node link had ready for its peer at one moment, encoded back to back (<see cref="FrameCodec"/>):
/// what travels as one Akka.Remote message, so the envelope (recipient path, serializer id) is paid once per batch
/// rather than per frame. <see cref="Bytes"/> is exactly the wire form; the serializer hands it over as it is.
/// </summary>
internal sealed class FrameBatch(byte[] bytes)
{
    /// <summary>The version byte and the encoded frames.</summary>
    internal byte[] Bytes { get; } = bytes;

    /// <inheritdoc />
    public override string ToString() => $"IPC frame batch of {Bytes.Length} bytes";
}
