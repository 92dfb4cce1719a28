using System.Runtime.Serialization;
using M3Actors.ClusterBridge.Frames;
using Xunit;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>The fixed-size wire form of IPC frames: exact round trips, refusal of bad input, no allocation on write.</summary>
public sealed class IpcFrameSerializerTests
{
    [Fact]
    public void A_frame_round_trips_every_field_in_88_bytes()
    {
        var message = new Message(42);
        message.SetInt(0, -7);
        message.SetLong(3, long.MaxValue);
        var frame = new IpcFrame(FrameKind.SendRec, 1234567890123, Endpoint.Of(3, 40), Endpoint.System(2), IpcStatus.SrcDied, message);

        var bytes = new byte[IpcFrameSerializer.FrameSize];
        IpcFrameSerializer.Write(frame, bytes);
        var read = IpcFrameSerializer.Read(bytes);

        Assert.Equal(88, IpcFrameSerializer.FrameSize);
        AssertSame(frame, read);
        Assert.Equal(-7, read.Message.GetInt(0));
        Assert.Equal(long.MaxValue, read.Message.GetLong(3));
    }

    [Theory]
    [InlineData(0, 0, "version 0")]
    [InlineData(1, 0, "kind 0")]
    [InlineData(1, 99, "kind 99")]
    [InlineData(2, 1, "reserved")]
    [InlineData(4, 0x7F, "status")]
    public void A_corrupt_frame_is_refused_with_what_was_wrong(int offset, byte value, string why)
    {
        var bytes = new byte[IpcFrameSerializer.FrameSize];
        IpcFrameSerializer.Write(new IpcFrame(FrameKind.Send, 1, Endpoint.System(1), Endpoint.System(2), IpcStatus.Ok, default), bytes);
        bytes[offset] = value;
        var error = Assert.Throws<SerializationException>(() => IpcFrameSerializer.Read(bytes));
        Assert.Contains(why, error.Message);
    }

    /// <summary>Field by field, the 64 message bytes included.</summary>
    internal static void AssertSame(IpcFrame expected, IpcFrame actual)
    {
        Assert.Equal(expected.ToString(), actual.ToString());
        Assert.Equal((expected.Kind, expected.Correlation, expected.Caller, expected.Partner, expected.Status),
            (actual.Kind, actual.Correlation, actual.Caller, actual.Partner, actual.Status));
        Assert.Equal(Bytes(expected.Message), Bytes(actual.Message));
    }

    private static byte[] Bytes(Message m) =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<Message>(in m)).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(87)]
    [InlineData(89)]
    public void A_frame_of_the_wrong_length_is_refused(int length)
    {
        var error = Assert.Throws<SerializationException>(() => IpcFrameSerializer.Read(new byte[length]));
        Assert.Contains($"got {length}", error.Message);
    }

    [Fact]
    public void Writing_a_frame_into_a_buffer_allocates_nothing()
    {
        var frame = new IpcFrame(FrameKind.Reply, 9, Endpoint.System(1), Endpoint.System(2), IpcStatus.Ok, new Message(5));
        Span<byte> buffer = stackalloc byte[IpcFrameSerializer.FrameSize];
        IpcFrameSerializer.Write(frame, buffer);       // warm up (JIT)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) IpcFrameSerializer.Write(frame, buffer);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
