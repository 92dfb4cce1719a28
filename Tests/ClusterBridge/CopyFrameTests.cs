using System.Runtime.Serialization;
using M3Actors.ClusterBridge.Frames;
using Xunit;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// The wire form of the vcopy frames (<see cref="CopyFrames"/>): opens and acks round-trip their fields in a few
/// bytes, a chunk carries its bytes after its header in a batch of its own, and a chunk that claims more bytes than
/// it has, or more than a chunk may hold, is refused with what was wrong.
/// </summary>
public sealed class CopyFrameTests
{
    [Fact]
    public void An_open_and_an_ack_round_trip_their_fields_in_a_few_bytes()
    {
        var open = CopyFrames.Open(FrameKind.CopyTo, 77, Endpoint.Of(1, 300), Endpoint.System(4), new(3, 65_536),
            4 * 1024 * 1024, 3);
        var ack = CopyFrames.Ack(77, Endpoint.Of(1, 300), 2, 131_072, IpcStatus.DstDied);

        var readOpen = RoundTrip(open, out var openSize);
        var readAck = RoundTrip(ack, out var ackSize);

        Assert.Equal((FrameKind.CopyTo, 77L, Endpoint.Of(1, 300), Endpoint.System(4)),
            (readOpen.Kind, readOpen.Correlation, readOpen.Caller, readOpen.Partner));
        Assert.Equal((new BufferAddress(3, 65_536), 4 * 1024 * 1024, 3),
            (CopyFrames.AddressOf(readOpen), CopyFrames.LengthOf(readOpen), CopyFrames.PeerNodeOf(readOpen)));
        Assert.Equal((IpcStatus.DstDied, 2, 131_072),
            (readAck.Status, CopyFrames.RequesterNodeOf(readAck), CopyFrames.WrittenOf(readAck)));
        Assert.InRange(openSize, 1, 20);       // varints, not the 56-byte payload
        Assert.InRange(ackSize, 1, 15);
    }

    [Fact]
    public void A_chunk_is_a_batch_of_its_own_whose_bytes_follow_the_header()
    {
        var batch = CopyFrames.ChunkBatch(9, Endpoint.Of(1, 300), Endpoint.System(6), 2, 65_536, 1000, out var data);
        new Random(1).NextBytes(data);

        Assert.Equal(1, FrameCodec.Validate(batch));
        var at = 1;
        var chunk = FrameCodec.Read(batch, ref at);
        Assert.Equal(batch.Length, at);
        Assert.Equal((FrameKind.CopyChunk, 9L, 2, 65_536, 1000),
            (chunk.Kind, chunk.Correlation, CopyFrames.RequesterNodeOf(chunk), CopyFrames.ChunkOffsetOf(chunk),
                CopyFrames.ChunkLengthOf(chunk)));
        Assert.True(data.SequenceEqual(CopyFrames.ChunkData(chunk, batch, at)));
        Assert.True(batch.Length - 1000 < 20, "the header of a chunk takes a few bytes");
    }

    [Fact]
    public void A_chunk_that_lacks_its_bytes_or_claims_too_many_is_refused()
    {
        var batch = CopyFrames.ChunkBatch(9, Endpoint.Of(1, 300), Endpoint.System(6), 2, 0, 1000, out _);
        var cut = Assert.Throws<SerializationException>(() => FrameCodec.Validate(batch.AsSpan(0, batch.Length - 1)));
        Assert.Contains("999 of its 1000 bytes", cut.Message);

        var header = batch.AsSpan(0, batch.Length - 1000).ToArray();
        var lengthAt = header.Length - 2;     // the length 1000 is a two-byte varint, the header's last field
        Varint.Write(header, ref lengthAt, 0);
        var empty = Assert.Throws<SerializationException>(() => FrameCodec.Validate(header.AsSpan(0, lengthAt)));
        Assert.Contains("0 bytes is outside", empty.Message);

        var huge = CopyFrames.ChunkBatch(9, Endpoint.Of(1, 300), Endpoint.System(6), 2, 0, 10, out _);
        var fields = huge.AsSpan(0, huge.Length - 10).ToArray();
        var at = fields.Length - 1;
        var longer = new byte[fields.Length + 4];
        fields.CopyTo(longer, 0);
        Varint.Write(longer, ref at, CopyFrames.MaxChunkBytes + 1);
        var tooLong = Assert.Throws<SerializationException>(() => FrameCodec.Validate(longer.AsSpan(0, at)));
        Assert.Contains($"{CopyFrames.MaxChunkBytes + 1} bytes is outside", tooLong.Message);
    }

    private static IpcFrame RoundTrip(in IpcFrame frame, out int size)
    {
        var buffer = new byte[1 + FrameCodec.MaxFrameSize];
        buffer[0] = FrameCodec.Version;
        size = 1;
        FrameCodec.Write(in frame, buffer, ref size);
        Assert.Equal(1, FrameCodec.Validate(buffer.AsSpan(0, size)));
        var at = 1;
        var read = FrameCodec.Read(buffer, ref at);
        size--;
        return read;
    }
}
