using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

public sealed class EndpointTests
{
    [Fact]
    public void Encoding_is_generation_shifted_by_15_plus_slot()
    {
        var e = Endpoint.Of(3, 5);
        Assert.Equal((3 << 15) + 5, e.Value);
        Assert.Equal(3, e.Generation);
        Assert.Equal(5, e.Slot);
        Assert.Equal(new Endpoint(7), Endpoint.System(7));
        Assert.Equal(0, Endpoint.System(7).Generation);
        var top = Endpoint.Of(Endpoint.MaxGeneration, 12345);
        Assert.True(top.Value > 0);
        Assert.Equal(Endpoint.MaxGeneration, top.Generation);
        Assert.Equal(12345, top.Slot);
        Assert.Equal("3:5", e.ToString());
    }

    [Fact]
    public void Special_values_are_distinct_and_marked()
    {
        var specials = new[] { Endpoint.Any, Endpoint.None, Endpoint.Self };
        Assert.Equal(3, specials.Distinct().Count());
        Assert.All(specials, s => Assert.True(s.IsSpecial));
        Assert.False(Endpoint.System(0).IsSpecial);
        Assert.False(Endpoint.Of(1, 16).IsSpecial);
        Assert.Equal("ANY", Endpoint.Any.ToString());
        Assert.Equal("NONE", Endpoint.None.ToString());
        Assert.Equal("SELF", Endpoint.Self.ToString());
        // Outside every valid slot of the largest allowed VM.
        Assert.All(specials, s => Assert.True(s.Slot >= new DrvsOptions().MaxEndpointsPerVm));
    }

    [Fact]
    public void Factories_refuse_values_that_would_name_another_endpoint()
    {
        // §12.10: System(32784) used to be generation 1, slot 16 — a user endpoint.
        Assert.Throws<ArgumentOutOfRangeException>(() => Endpoint.System(32784));
        Assert.Throws<ArgumentOutOfRangeException>(() => Endpoint.System(Endpoint.MaxSlotsPerVm));
        Assert.Throws<ArgumentOutOfRangeException>(() => Endpoint.System(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Endpoint.System(Endpoint.Self.Slot));
        Assert.Throws<ArgumentOutOfRangeException>(() => Endpoint.Of(0, Endpoint.Any.Slot));
        Assert.Throws<ArgumentOutOfRangeException>(() => Endpoint.Of(1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Endpoint.Of(Endpoint.MaxGeneration + 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Endpoint.Of(-1, 0));
        Assert.Equal(Endpoint.MaxSlotsPerVm - 1, Endpoint.System(Endpoint.MaxSlotsPerVm - 1).Slot);
    }
}

public sealed class SpecialValueTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task No_bound_endpoint_ever_equals_a_special_value()
    {
        // Bind every slot of a VM of the largest default size once: no endpoint value may be ANY, NONE or SELF.
        var vm = ExtraVm(2, new VmOptions { Id = 2, Name = "big", SystemSlots = 16, UserSlots = new DrvsOptions().MaxEndpointsPerVm - 16 });
        var handles = new List<EndpointHandle>();
        try
        {
            for (var s = 0; s < 16 + vm.Options.UserSlots; s++) handles.Add(vm.Bind(s));
            Assert.All(handles, h => Assert.False(h.Endpoint.IsSpecial, $"{h.Endpoint.Value:x} is a special value"));
            // And every one of them can be reached by a sendnb (NotReady: exists, not waiting) — never BadEndpoint.
            var probe = handles[0];
            foreach (var h in handles.Skip(1)) Assert.Equal(IpcStatus.NotReady, probe.SendNb(h.Endpoint, Msg(1)));
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
            await vm.EndAsync().WaitAsync(Patience);
        }
    }
}

public sealed class MessageTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact]
    public void Message_is_64_blittable_bytes()
    {
        Assert.Equal(64, Message.Size);
        Assert.Equal(64, Unsafe.SizeOf<Message>());
        Assert.Equal(64, Marshal.SizeOf<Message>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<Message>());
        var m = new Message(1);
        var pinned = GCHandle.Alloc(m, GCHandleType.Pinned);     // only blittable types can be pinned
        pinned.Free();
        Assert.Equal(Message.PayloadSize, m.Payload.Length);
    }

    [Fact]
    public void Typed_accessors_round_trip_and_overlap()
    {
        var m = new Message(9);
        for (var i = 0; i < Message.IntSlots; i++) m.SetInt(i, i * 1000 - 7);
        for (var i = 0; i < Message.IntSlots; i++) Assert.Equal(i * 1000 - 7, m.GetInt(i));
        m.SetLong(Message.LongSlots - 1, long.MinValue + 3);
        Assert.Equal(long.MinValue + 3, m.GetLong(Message.LongSlots - 1));
        m.SetLong(0, 0x1122334455667788);
        Assert.Equal(0x55667788, m.GetInt(0));      // the layouts overlap (little-endian)
        Assert.Equal(0x11223344, m.GetInt(1));
        Assert.Equal(9, m.Type);
        Assert.Equal(default(Endpoint), m.Source);
    }

    [Fact]
    public void Timestamp_is_a_payload_layout_any_message_may_carry()
    {
        // §3: a notification carries one; another message reads what its sender stored, or the zero time.
        var stamped = new Message(7) { Timestamp = new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc) };
        Assert.Equal(new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc), stamped.Timestamp);
        Assert.Equal(DateTimeKind.Utc, stamped.Timestamp.Kind);
        Assert.Equal(DateTime.MinValue, new Message(1).Timestamp);
        var local = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Local);
        Assert.Equal(local.ToUniversalTime(), new Message(1) { Timestamp = local }.Timestamp);
        var ints = new Message(1);
        ints.SetLong(0, -5);
        Assert.Contains("not a timestamp", Assert.Throws<InvalidOperationException>(() => ints.Timestamp).Message);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_notification_is_stamped_with_its_send_time()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var before = DateTime.UtcNow;
        Assert.Equal(IpcStatus.Ok, a.Notify(b.Endpoint));
        var got = await b.ReceiveAsync(a.Endpoint).AsTask().WaitAsync(Patience);
        Assert.True(got.Message.IsNotify);
        Assert.InRange(got.Message.Timestamp, before, DateTime.UtcNow);
    }

    [Fact]
    public void Accessor_indices_out_of_bounds_throw()
    {
        var m = new Message(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.SetInt(Message.IntSlots, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.GetInt(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.SetLong(Message.LongSlots, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.GetLong(-1));
    }

    [Fact]
    public void Inline_text_round_trips_and_rejects_too_long()
    {
        var m = new Message(1);
        var longest = new string('x', Message.MaxTextBytes);
        m.SetText(longest);
        Assert.Equal(longest, m.GetText());
        m.SetText("héllo wörld");
        Assert.Equal("héllo wörld", m.GetText());
        Assert.Throws<ArgumentException>(() => m.SetText(new string('x', Message.MaxTextBytes + 1)));
        Assert.Throws<ArgumentException>(() => m.SetText(new string('é', 28)));     // 56 UTF-8 bytes
        Assert.Equal("héllo wörld", m.GetText());       // a rejected text leaves the message unchanged
    }

    [Fact(Timeout = 20_000)]
    public async Task Message_is_copied_at_call_time_not_at_delivery()
    {
        using var sender = Vm.Bind();
        using var receiver = Vm.Bind();
        var box = new Message[1];
        box[0] = Msg(5, 111);
        var sending = OnThread(() => sender.Send(receiver.Endpoint, in box[0], Patience));     // by reference
        await AwaitState(sender.Endpoint, "SENDING to");
        box[0].Type = 99;
        box[0].SetInt(0, 222);
        Assert.Equal(IpcStatus.Ok, receiver.Receive(Endpoint.Any, out var got, Patience));
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
        Assert.Equal(5, got.Type);
        Assert.Equal(111, got.GetInt(0));
        Assert.Equal(sender.Endpoint, got.Source);
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_message_is_copied_at_call_time()
    {
        using var receiver = Vm.Bind();
        var (actor, ep) = Script();
        var m = Msg(5, 111);
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSend(receiver.Endpoint, m)));
        await AwaitState(ep, "SENDING to");
        var received = await ReceiveOnThread(receiver, ep, Patience).WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, received.Status);
        Assert.Equal(111, received.Message.GetInt(0));
        Assert.Equal(ep, received.Message.Source);
        Assert.Equal(IpcStatus.Ok, ExpectMsg<ScriptActor.SendDone>(Patience).Status);
    }

    [Fact(Timeout = 20_000)]
    public async Task Source_is_always_the_true_sender()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var m = Msg(1);
        // A message received from someone else carries their Source; resending it must not forge it.
        var sending = OnThread(() => a.Send(b.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, b.Receive(Endpoint.Any, out m, Patience));
        Assert.Equal(a.Endpoint, m.Source);
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
        var back = ReceiveOnThread(a, Endpoint.Any, Patience);
        await AwaitState(a.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Ok, b.Send(a.Endpoint, in m, Patience));
        var (status, got) = await back.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, status);
        Assert.Equal(b.Endpoint, got.Source);
    }

    [Fact]
    public void Messages_compare_by_value_in_records_and_collections_too()
    {
        var a = new Message(7);
        a.SetInt(3, 42);
        var b = a;
        Assert.True(a == b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal((1, a), (1, b));                       // the runtime's default Equals would throw here
        b.SetInt(13, 1);
        Assert.True(a != b);
        Assert.NotEqual(a, b);
        Assert.Contains("type 7", a.ToString());
    }
}
