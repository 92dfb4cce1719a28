using System.Runtime.Serialization;
using M3Actors.ClusterBridge.Frames;
using Xunit;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// The compact wire form of IPC frames (<see cref="FrameCodec"/>): exact round trips of every field and of batches,
/// refusal of bad input with what was wrong, and no allocation per frame on write or read.
/// </summary>
public sealed class IpcFrameSerializerTests
{
    [Theory]
    [InlineData(FrameKind.SendRec, 1234567890123L, IpcStatus.Ok)]
    [InlineData(FrameKind.SendNb, -5L, IpcStatus.Ok)]
    [InlineData(FrameKind.Reply, long.MaxValue, IpcStatus.Ok)]
    [InlineData(FrameKind.Reply, long.MinValue, IpcStatus.SrcDied)]
    [InlineData(FrameKind.Ack, 3L, IpcStatus.BadEndpoint)]
    [InlineData(FrameKind.Cancel, 9L, IpcStatus.Ok)]
    [InlineData(FrameKind.Probe, 12L, IpcStatus.Ok)]
    public void A_frame_round_trips_every_field_it_carries(FrameKind kind, long correlation, IpcStatus status)
    {
        var message = new Message(int.MinValue);
        message.SetInt(0, -7);
        message.SetLong(6, long.MaxValue);
        var frame = new IpcFrame(kind, correlation, Endpoint.Of(3, 40), Endpoint.System(2), status, message);

        var read = RoundTrip(frame, out var size);

        AssertSame(frame, read);
        Assert.InRange(size, 1, FrameCodec.MaxFrameSize);
        if (frame.CarriesMessage)
        {
            Assert.Equal(-7, read.Message.GetInt(0));
            Assert.Equal(long.MaxValue, read.Message.GetLong(6));
        }
        else Assert.Equal(default, read.Message);
    }

    [Fact]
    public void A_sendrec_and_its_reply_take_a_fraction_of_the_fixed_88_bytes()
    {
        var request = new IpcFrame(FrameKind.SendRec, 4_000, Endpoint.Of(1, 33), Endpoint.System(4), IpcStatus.Ok, new Message(2));
        var reply = new IpcFrame(FrameKind.Reply, 4_000, Endpoint.Of(1, 33), Endpoint.System(4), IpcStatus.Ok, new Message(2));
        var ack = new IpcFrame(FrameKind.Ack, 4_000, Endpoint.Of(1, 33), Endpoint.System(4), IpcStatus.TimedOut, default);
        RoundTrip(request, out var requestSize);
        RoundTrip(reply, out var replySize);
        RoundTrip(ack, out var ackSize);
        // kind 1 + correlation 2 + caller 3 (generation 1) + partner 1 (+ status 1) + type 1 + 56 payload; the
        // message's source is not sent (the receiving kernel sets it).
        Assert.Equal(64, requestSize);
        Assert.Equal(65, replySize);
        Assert.Equal(8, ackSize);
    }

    [Theory]
    [InlineData(0, 1, "version 1")]
    [InlineData(1, 0, "kind 0")]
    [InlineData(1, 99, "kind 99")]
    [InlineData(2, 0x7E, "status 63")]
    public void A_corrupt_batch_is_refused_with_what_was_wrong(int offset, byte value, string why)
    {
        var batch = Batch(new IpcFrame(FrameKind.Ack, 1, Endpoint.System(1), Endpoint.System(2), IpcStatus.Ok, default));
        batch[offset] = value;
        var error = Assert.Throws<SerializationException>(() => FrameCodec.Validate(batch));
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void A_truncated_or_overlong_field_is_refused()
    {
        var batch = Batch(new IpcFrame(FrameKind.Send, 1, Endpoint.System(1), Endpoint.System(2), IpcStatus.Ok, new Message(1)));
        var truncated = Assert.Throws<SerializationException>(() => FrameCodec.Validate(batch.AsSpan(0, batch.Length - 1)));
        Assert.Contains("ends inside its message", truncated.Message);
        byte[] overlong = [FrameCodec.Version, (byte)FrameKind.Cancel, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        Assert.Contains("correlation is longer", Assert.Throws<SerializationException>(() => FrameCodec.Validate(overlong)).Message);
        byte[] cut = [FrameCodec.Version, (byte)FrameKind.Cancel, 0x02];
        Assert.Contains("ends inside its caller", Assert.Throws<SerializationException>(() => FrameCodec.Validate(cut)).Message);
        Assert.Contains("at least 2 bytes", Assert.Throws<SerializationException>(() => FrameCodec.Validate([FrameCodec.Version])).Message);
    }

    [Fact]
    public void Random_bytes_are_refused_or_read_without_ever_reading_past_the_batch()
    {
        var random = new Random(8);
        var buffer = new byte[200];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(2, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            buffer[0] = FrameCodec.Version;
            try
            {
                Assert.InRange(FrameCodec.Validate(buffer.AsSpan(0, length)), 1, length);
            }
            catch (SerializationException)
            {
                // Refused cleanly: the only other outcome allowed for hostile input.
            }
        }
    }

    [Fact]
    public void Writing_and_reading_frames_allocates_nothing()
    {
        var frame = new IpcFrame(FrameKind.Reply, 9, Endpoint.System(1), Endpoint.System(2), IpcStatus.Ok, new Message(5));
        var buffer = new byte[FrameCodec.MaxFrameSize];
        RoundTripInto(frame, buffer);       // warm up (JIT)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) RoundTripInto(frame, buffer);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Field by field, the message included.</summary>
    internal static void AssertSame(IpcFrame expected, IpcFrame actual)
    {
        Assert.Equal((expected.Kind, expected.Correlation, expected.Caller, expected.Partner, expected.Status),
            (actual.Kind, actual.Correlation, actual.Caller, actual.Partner, actual.Status));
        if (expected.CarriesMessage) Assert.Equal(expected.Message, actual.Message);
    }

    private static IpcFrame RoundTrip(IpcFrame frame, out int size)
    {
        var buffer = new byte[FrameCodec.MaxFrameSize];
        size = 0;
        FrameCodec.Write(frame, buffer, ref size);
        var at = 0;
        var read = FrameCodec.Read(buffer, ref at);
        Assert.Equal(size, at);
        return read;
    }

    private static void RoundTripInto(IpcFrame frame, byte[] buffer)
    {
        var at = 0;
        FrameCodec.Write(frame, buffer, ref at);
        at = 0;
        if (FrameCodec.Read(buffer, ref at).Correlation != frame.Correlation) Assert.Fail("the frame did not round-trip");
    }

    internal static byte[] Batch(params IpcFrame[] frames)
    {
        var buffer = new byte[1 + frames.Length * FrameCodec.MaxFrameSize];
        buffer[0] = FrameCodec.Version;
        var at = 1;
        foreach (var frame in frames) FrameCodec.Write(frame, buffer, ref at);
        return buffer[..at];
    }
}
