using System.Runtime.InteropServices;
using M3Actors.Kernel;
using Xunit;

namespace M3Actors.Tests.Core;

/// <summary>
/// The kernel's state lives in slot records of a region: a kernel over a region someone else supplies (as the
/// transport supplies its arena file) runs the rule, and its records read back, from the raw memory, as another
/// process of the VM would read them.
/// </summary>
public sealed class KernelRegionTests
{
    private const int SystemSlots = 2;
    private const int Slots = 8;

    // A port that counts its wakeups; the kernel calls it on the calling thread, so these tests need no threads.
    private sealed class Port : IEndpointPort
    {
        internal int Completions;
        internal int Pendings;

        public void Completed() => Completions++;

        public void Pending() => Pendings++;
    }

    // A pinned, zeroed buffer with room to start the records on a cache line: the supplied memory.
    private sealed unsafe class Supplied
    {
        internal readonly byte[] Bytes;
        internal readonly int Start;

        internal Supplied(int slots)
        {
            Bytes = GC.AllocateArray<byte>(slots * SlotLayout.RecordSize(slots) + SlotLayout.CacheLine, pinned: true);
            fixed (byte* p = Bytes) Start = (int)(-(nint)p & (SlotLayout.CacheLine - 1));
        }

        private byte* Base
        {
            get
            {
                fixed (byte* p = Bytes) return p + Start;     // pinned: the address stays valid
            }
        }

        internal KernelRegion Region(int slots) => Region(slots, 0, Bytes.Length - Start, SlotLayout.RecordSize(slots));

        internal KernelRegion Region(int slots, int skip, long length, int recordSize) =>
            KernelRegion.Over(Base + skip, length, slots, recordSize, owner: this);

        // Slot s's record read straight from the bytes, not through the kernel's views.
        internal ref SlotRecord Record(int slot) =>
            ref MemoryMarshal.AsRef<SlotRecord>(Bytes.AsSpan(Start + slot * SlotLayout.RecordSize(Slots)));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_kernel_over_a_supplied_region_runs_the_rule_in_its_records()
    {
        await Task.Yield();
        var memory = new Supplied(Slots);
        var kernel = NewKernel(memory.Region(Slots));
        var (serverPort, clientPort) = (new Port(), new Port());
        var server = kernel.Bind(1, serverPort, OwnerKind.Thread, "server");
        var client = kernel.Bind(null, clientPort, OwnerKind.Thread, "client");

        ref var s = ref memory.Record(server.Slot);
        ref var c = ref memory.Record(client.Slot);
        Assert.Equal((int)SlotState.Bound, s.State);
        Assert.Equal(Endpoint.Of(0, 1), s.Endpoint);
        Assert.Equal(client.Ep, c.Endpoint);
        Assert.Equal(1, client.Ep.Generation);
        Assert.Equal(OwnerKind.Thread, c.Kind);

        // receive blocks: the record says so; a send completes it through the carrier.
        Assert.Equal(IpcStatus.Suspended, kernel.Receive(server, Endpoint.Any, IpcCalls.Receive, mayBlock: true));
        Assert.Equal(ProcFlags.Receiving, s.Flags);
        Assert.Equal(Endpoint.Any, s.GetFrom);
        Assert.Equal(IpcStatus.Ok, kernel.Send(client, server.Ep, Message(7, 70), IpcCalls.Send, mayBlock: true));
        Assert.Equal(1, serverPort.Completions);
        Assert.Equal((ProcFlags.None, 7, 70, client.Ep), (s.Flags, s.Msg.Type, s.Msg.GetInt(0), s.Msg.Source));
        Assert.Equal((1L, 1L), (c.Sent, s.Received));

        // sendrec queues on a server that is not receiving: the caller's record is in the server's queue.
        Assert.Equal(IpcStatus.Suspended, kernel.Send(client, server.Ep, Message(8, 80), IpcCalls.SendRec, true));
        Assert.Equal(ProcFlags.Sending | ProcFlags.ReplyPending, c.Flags);
        Assert.Equal(server.Ep, c.SendTo);
        Assert.Equal((client.Slot, client.Slot, -1), (s.QueueHead, s.QueueTail, c.NextInQueue));
        Assert.Equal(1, serverPort.Pendings);

        // the server takes the request; the caller now waits for the reply; the reply completes it.
        Assert.Equal(IpcStatus.Ok, kernel.Receive(server, Endpoint.Any, IpcCalls.Receive, mayBlock: true));
        Assert.Equal((-1, -1), (s.QueueHead, s.QueueTail));
        Assert.Equal(ProcFlags.Receiving | ProcFlags.ReplyPending, c.Flags);
        Assert.Equal(server.Ep, c.GetFrom);
        Assert.Equal(80, s.Msg.GetInt(0));
        Assert.Equal(IpcStatus.Ok, kernel.Reply(server, client.Ep, Message(9, 90)));
        Assert.Equal(1, clientPort.Completions);
        Assert.Equal((ProcFlags.None, IpcStatus.Ok, 90, server.Ep), (c.Flags, c.Result, c.Msg.GetInt(0), c.Msg.Source));

        kernel.Unbind(client, IpcStatus.NotBound);
        Assert.Equal((int)SlotState.Free, c.State);
        Assert.Equal(client.Ep, c.Endpoint);        // kept, so a stale value of the slot is told apart
        GC.KeepAlive(memory);
    }

    [Fact(Timeout = 10_000)]
    public async Task Senders_queue_in_their_records_in_stamp_order()
    {
        await Task.Yield();
        var memory = new Supplied(Slots);
        var kernel = NewKernel(memory.Region(Slots));
        var server = kernel.Bind(0, new Port(), OwnerKind.Thread, "server");
        var senders = Enumerable.Range(0, 3)
            .Select(i => kernel.Bind(null, new Port(), OwnerKind.Thread, $"s{i}")).ToArray();
        foreach (var sender in senders)
        {
            var status = kernel.Send(sender, server.Ep, Message(1, sender.Slot), IpcCalls.Send, mayBlock: true);
            Assert.Equal(IpcStatus.Suspended, status);
        }

        ref var s = ref memory.Record(server.Slot);
        var linked = new List<int>();
        for (var slot = s.QueueHead; slot >= 0; slot = memory.Record(slot).NextInQueue) linked.Add(slot);
        Assert.Equal(senders.Select(p => p.Slot), linked);
        Assert.Equal(senders[^1].Slot, s.QueueTail);
        var stamps = linked.Select(slot => memory.Record(slot).EnqueueSeq).ToList();
        Assert.Equal(stamps.Order(), stamps);
        Assert.Equal(3, stamps.Distinct().Count());

        // the middle sender leaves (its owner's timeout): the links close over it
        Assert.True(kernel.Abort(senders[1], senders[1].CallSeq, IpcStatus.TimedOut));
        Assert.Equal(senders[2].Slot, memory.Record(senders[0].Slot).NextInQueue);
        ref var left = ref memory.Record(senders[1].Slot);
        Assert.Equal((ProcFlags.None, -1), (left.Flags, left.NextInQueue));
        Assert.Equal(IpcStatus.Ok, kernel.Receive(server, Endpoint.Any, IpcCalls.Receive, mayBlock: false));
        Assert.Equal(senders[0].Slot, s.Msg.GetInt(0));
        Assert.Equal((senders[2].Slot, senders[2].Slot), (s.QueueHead, s.QueueTail));
        GC.KeepAlive(memory);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_call_ended_by_an_unbind_keeps_its_status_when_the_slot_is_bound_again_before_its_owner_reads()
    {
        await Task.Yield();
        var kernel = NewKernel();
        var old = kernel.Bind(1, new Port(), OwnerKind.Thread, "first");
        Assert.Equal(IpcStatus.Suspended, kernel.Receive(old, Endpoint.Any, IpcCalls.Receive, mayBlock: true));
        kernel.Unbind(old, IpcStatus.SlotUsed);             // e.g. a bridge's bind race: the loser's call ends so
        kernel.Bind(1, new Port(), OwnerKind.Remote, "winner");    // and the winner's ghost takes the slot at once
        Assert.False(old.Bound);
        Assert.Equal(IpcStatus.SlotUsed, old.Result);       // what the owner reads when its wakeup runs
    }

    [Fact(Timeout = 10_000)]
    public async Task A_call_ended_by_an_unbind_keeps_its_status_while_the_next_bind_is_still_writing_the_record()
    {
        await Task.Yield();
        var memory = new Supplied(Slots);
        var kernel = NewKernel(memory.Region(Slots));
        var old = kernel.Bind(1, new Port(), OwnerKind.Thread, "first");
        Assert.Equal(IpcStatus.Suspended, kernel.Receive(old, Endpoint.Any, IpcCalls.Receive, mayBlock: true));
        kernel.Unbind(old, IpcStatus.SlotUsed);
        // The winner's bind has written its data (Result first) but not yet its incarnation (KernelRegion.Bind): the
        // record still names the old binding's incarnation, so only the view's own knowledge that it freed the
        // record keeps the loser's SlotUsed (CI once saw the loser's receive return Ok in this window).
        ref var record = ref memory.Record(1);
        record.Result = IpcStatus.Ok;
        Assert.True(old.IsCurrent);
        Assert.Equal(IpcStatus.SlotUsed, old.Result);
        GC.KeepAlive(memory);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_view_of_an_earlier_binding_of_a_reused_slot_touches_nothing_of_the_new_one()
    {
        await Task.Yield();
        var kernel = NewKernel();
        var old = kernel.Bind(1, new Port(), OwnerKind.Actor, "first");
        kernel.Unbind(old, IpcStatus.NotBound);
        var port = new Port();
        var current = kernel.Bind(1, port, OwnerKind.Actor, "second");
        Assert.Equal(old.Ep, current.Ep);       // a system slot keeps generation 0: only the incarnation differs
        var client = kernel.Bind(null, new Port(), OwnerKind.Thread, "client");
        Assert.Equal(IpcStatus.Suspended, kernel.Receive(current, Endpoint.Any, IpcCalls.Receive, mayBlock: true));
        var seq = current.CallSeq;

        // While the new binding is blocked: the old view reads unbound, and its late timer and unbind change nothing.
        Assert.False(old.Bound);
        Assert.Equal(IpcStatus.Ok, old.Result);      // the result its binding ended with (never blocked: its bind's)
        Assert.False(kernel.Abort(old, seq, IpcStatus.TimedOut));   // the same call sequence, but another binding
        kernel.Unbind(old, IpcStatus.NotBound);
        Assert.Equal(IpcStatus.NotBound, kernel.Send(old, client.Ep, Message(6), IpcCalls.Send, mayBlock: true));
        Assert.True(current.Bound);
        Assert.Equal(ProcFlags.Receiving, current.Flags);
        Assert.Equal(0, port.Completions);

        // The new binding's outcome is not the old view's to see or take.
        Assert.Equal(IpcStatus.Ok, kernel.Send(client, current.Ep, Message(5, 50), IpcCalls.Send, mayBlock: true));
        Assert.True(current.HasOutcome);
        Assert.False(old.HasOutcome);
        Assert.False(old.WorkHint);
        old.HasOutcome = false;
        Assert.True(IpcKernel.TryTakeOutcome(current, out var status, out var message));
        Assert.Equal((IpcStatus.Ok, 50), (status, message.GetInt(0)));
        Assert.Equal("second", kernel.Region.OwnerName(1));
    }

    [Fact(Timeout = 10_000)]
    public async Task Owner_names_are_cut_to_the_field_on_a_character_boundary()
    {
        await Task.Yield();
        var kernel = NewKernel();
        var euros = new string('€', 30);        // 3 bytes each in UTF-8: 18 fit in 55 bytes
        kernel.Bind(0, new Port(), OwnerKind.Thread, euros);
        kernel.Bind(1, new Port(), OwnerKind.Thread, "short");
        Assert.Equal(new string('€', 18), kernel.Region.OwnerName(0));
        Assert.Equal("short", kernel.Region.OwnerName(1));
    }

    [Fact(Timeout = 10_000)]
    public async Task Privileges_are_in_the_record()
    {
        await Task.Yield();
        var restricted = new Privileges(IpcCalls.Send | IpcCalls.Receive, new HashSet<int> { 0, 5, 99 });
        var kernel = new IpcKernel(SystemSlots, Slots - SystemSlots, s => s == 1 ? restricted : Privileges.Full, 1024);
        var p = kernel.Bind(1, new Port(), OwnerKind.Thread, "limited");
        var free = kernel.Bind(0, new Port(), OwnerKind.Thread, "free");
        Assert.Equal((IpcCalls.Send | IpcCalls.Receive, 1), CallsOf(p));
        Assert.Equal((1UL << 0) | (1UL << 5), FirstDestinationWord(kernel.Region, 1));   // slot 99 is not in the VM
        Assert.Equal((IpcCalls.All, 0), CallsOf(free));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_region_that_does_not_fit_is_refused()
    {
        await Task.Yield();
        var memory = new Supplied(Slots);
        var size = SlotLayout.RecordSize(Slots);
        var length = Slots * size;
        Assert.Throws<ArgumentException>(() => memory.Region(Slots, 0, length, size + 64));
        Assert.Throws<ArgumentException>(() => memory.Region(Slots, 8, length, size));
        Assert.Throws<ArgumentException>(() => memory.Region(Slots, 0, length - size, size));
        Assert.Throws<ArgumentException>(() =>
            new IpcKernel(SystemSlots, Slots, _ => Privileges.Full, 1024, memory.Region(Slots)));
    }

    [Fact]
    public unsafe void Records_are_whole_cache_lines_sized_by_the_slot_count()
    {
        Assert.Equal(SlotLayout.FixedSize, sizeof(SlotRecord));
        // The offsets docs/transport.md documents for other processes of the VM.
        (string Field, int Offset)[] documented =
        [
            (nameof(SlotRecord.State), 0), (nameof(SlotRecord.Endpoint), 4), (nameof(SlotRecord.Incarnation), 8),
            (nameof(SlotRecord.Flags), 12), (nameof(SlotRecord.SendTo), 16), (nameof(SlotRecord.GetFrom), 20),
            (nameof(SlotRecord.Result), 24), (nameof(SlotRecord.QueueHead), 28), (nameof(SlotRecord.NextInQueue), 36),
            (nameof(SlotRecord.CallSeq), 40), (nameof(SlotRecord.WaitWord), 48), (nameof(SlotRecord.HasOutcome), 56),
            (nameof(SlotRecord.LockWord), 60), (nameof(SlotRecord.Msg), 64), (nameof(SlotRecord.Sent), 128),
            (nameof(SlotRecord.EnqueueSeq), 144), (nameof(SlotRecord.Kind), 160),
            (nameof(SlotRecord.ProcessIndex), 164), (nameof(SlotRecord.Calls), 168), (nameof(SlotRecord.OwnerName), 192),
            (nameof(SlotRecord.Received), 248),
        ];
        Assert.All(documented, f => Assert.Equal(f.Offset, (int)Marshal.OffsetOf<SlotRecord>(f.Field)));
        Assert.Equal((256, 256 + 8 * 4, 256 + 16 * 4), (SlotLayout.NotifyOffset, SlotLayout.OwedOffset(256),
            SlotLayout.DestinationsOffset(256)));
        Assert.Equal(384, SlotLayout.RecordSize(256));          // the default VM: 96 KiB of records
        Assert.Equal(1792, SlotLayout.RecordSize(4096));
        Assert.All(new[] { 1, 63, 64, 65, 1000, Endpoint.MaxSlotsPerVm },
            n => Assert.Equal(0, SlotLayout.RecordSize(n) % 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlotLayout.RecordSize(Endpoint.MaxSlotsPerVm + 1));
    }

    private static IpcKernel NewKernel(KernelRegion? region = null) =>
        new(SystemSlots, Slots - SystemSlots, _ => Privileges.Full, 1 << 20, region);

    private static unsafe (IpcCalls, int) CallsOf(Proc p) => (p.Record->Calls, p.Record->RestrictedDestinations);

    private static unsafe ulong FirstDestinationWord(KernelRegion region, int slot) => *region.Destinations(slot);

    private static Message Message(int type, int value = 0)
    {
        var m = new Message(type);
        m.SetInt(0, value);
        return m;
    }
}
