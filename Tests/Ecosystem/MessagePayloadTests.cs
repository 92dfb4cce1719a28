using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace M3Actors.Tests.Ecosystem;

public sealed class MessagePayloadTests
{
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private record struct ReadRequest(int Device, long Position, short Count, byte Flags);

    [StructLayout(LayoutKind.Sequential, Size = Message.PayloadSize)]
    private struct FullPayload
    {
        public long First;
    }

    [StructLayout(LayoutKind.Sequential, Size = Message.PayloadSize + 1)]
    private struct TooLarge
    {
        public byte First;
    }

    [Fact]
    public void Set_then_Get_round_trips_a_struct_at_any_offset_that_fits()
    {
        var m = new Message(7);
        var request = new ReadRequest(3, 1L << 40, 512, 0x5A);
        m.Set(request);
        m.Set(Unsafe.SizeOf<ReadRequest>(), Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"));
        Assert.Equal(request, m.Get<ReadRequest>());
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), m.Get<Guid>(Unsafe.SizeOf<ReadRequest>()));
        Assert.Equal(7, m.Type);
    }

    [Fact]
    public void Typed_access_shares_bytes_with_the_fixed_layouts()
    {
        var m = new Message(1);
        m.SetInt(1, 0x01020304);
        Assert.Equal(0x01020304, m.Get<int>(sizeof(int)));
        m.Set(2 * sizeof(long), 99L);
        Assert.Equal(99L, m.GetLong(2));
        m.Set(Message.PayloadSize - sizeof(int), -5);
        Assert.Equal(-5, m.GetInt(Message.IntSlots - 1));
    }

    [Fact]
    public void A_struct_as_large_as_the_payload_fits_at_offset_zero_only()
    {
        var m = new Message(1);
        m.Set(new FullPayload { First = 42 });
        Assert.Equal(42, m.Get<FullPayload>().First);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => m.Get<FullPayload>(1));
        Assert.Contains("offsets run 0..0", error.Message);
    }

    [Fact]
    public void A_struct_larger_than_the_payload_is_refused_with_its_size()
    {
        var m = new Message(1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => m.Set(new TooLarge()));
        Assert.Contains("TooLarge is 57 bytes; a message payload holds at most 56", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Get<TooLarge>());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(Message.PayloadSize - sizeof(long) + 1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void An_offset_where_the_value_does_not_fit_is_refused_and_changes_nothing(int offset)
    {
        var m = new Message(1);
        m.SetLong(6, 123);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => m.Set(offset, long.MaxValue));
        Assert.Equal("offset", error.ParamName);
        Assert.Contains($"at offset {offset} does not fit", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Get<long>(offset));
        Assert.Equal(123, m.GetLong(6));
    }

    [Fact]
    public void ReadOnlyPayload_of_an_in_message_views_the_callers_storage()
    {
        var m = new Message(1);
        m.Set(4, 0xBEEF);
        ref readonly var viewed = ref FirstPayloadByte(in m);
        Assert.True(Unsafe.AreSame(in viewed, in m.Payload[0]));
        Assert.Equal(Message.PayloadSize, Length(in m));
        Assert.Equal(0xBEEF, BitConverter.ToInt32(Copy(in m), 4));
    }

    [Fact]
    public void Typed_access_allocates_nothing()
    {
        var m = new Message(1);
        var request = new ReadRequest(1, 2, 3, 4);
        long sum = 0;
        Exercise(ref m, request, ref sum);   // JIT and tiering before measuring
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) Exercise(ref m, request, ref sum);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, sum);
    }

    private static void Exercise(ref Message m, ReadRequest request, ref long sum)
    {
        m.Set(request);
        m.Set(40, sum);
        sum += m.Get<ReadRequest>().Position + m.Get<long>(40) + Sum(in m);
    }

    private static int Sum(in Message m)
    {
        var total = 0;
        foreach (var b in m.ReadOnlyPayload) total += b;
        return total;
    }

    private static ref readonly byte FirstPayloadByte(in Message m) => ref m.ReadOnlyPayload[0];

    private static int Length(in Message m) => m.ReadOnlyPayload.Length;

    private static byte[] Copy(in Message m) => m.ReadOnlyPayload.ToArray();
}
