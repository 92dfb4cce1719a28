using M3Actors.ClusterBridge.Copies;
using M3Actors.ClusterBridge.Frames;
using Xunit;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// The reused arrays of vcopy chunks (<see cref="ChunkBuffers"/>): a chunk batch takes a kept array of exactly its
/// length and leaves nothing of the chunk that used it before; another length gets a new array; a full pool keeps the
/// newest arrays.
/// </summary>
public sealed class ChunkBuffersTests
{
    [Fact]
    public void A_chunk_batch_reuses_a_returned_array_of_its_length_and_overwrites_all_of_it()
    {
        var buffers = new ChunkBuffers();
        var first = CopyFrames.ChunkBatch(9, Endpoint.Of(1, 300), Endpoint.System(6), 2, 65_536, 1000, out var data,
            buffers.Rent);
        data.Fill(0xEE);
        buffers.Return(first);

        var second = CopyFrames.ChunkBatch(9, Endpoint.Of(1, 300), Endpoint.System(6), 2, 131_072, 1000,
            out var again, buffers.Rent);
        new Random(2).NextBytes(again);
        var other = CopyFrames.ChunkBatch(9, Endpoint.Of(1, 300), Endpoint.System(6), 2, 0, 999, out _, buffers.Rent);

        Assert.Same(first, second);
        Assert.NotSame(first, other);
        Assert.Equal(1, FrameCodec.Validate(second));
        var at = 1;
        var chunk = FrameCodec.Read(second, ref at);
        Assert.Equal(131_072, CopyFrames.ChunkOffsetOf(chunk));
        Assert.True(again.SequenceEqual(CopyFrames.ChunkData(chunk, second, at)));
    }

    [Fact]
    public void A_full_pool_keeps_the_newest_array_in_place_of_an_old_one()
    {
        var buffers = new ChunkBuffers();
        for (var i = 0; i < ChunkBuffers.Capacity; i++) buffers.Return(new byte[100 + i]);
        var newest = new byte[50];

        buffers.Return(newest);

        Assert.Same(newest, buffers.Rent(50));
        Assert.NotSame(newest, buffers.Rent(50));
    }
}
