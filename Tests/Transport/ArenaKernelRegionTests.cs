using M3Actors.Kernel;
using M3Actors.Transport.Arena;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The hand-over from the transport to the kernel: a kernel region over an arena file's slot records. A child
/// process binds endpoints with a kernel over its mapping; this process reads the records from its own mapping.
/// </summary>
public sealed class ArenaKernelRegionTests : IDisposable
{
    private readonly ArenaDirectory _dir = new();

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task An_endpoint_a_child_binds_is_in_the_record_this_process_maps()
    {
        using var arena = Arena.Attach(_dir.Options());
        var region = arena.SlotRegion(arena.Layout.SlotCount);
        Assert.Same(arena, region.Owner);       // the region keeps the attachment, and so its mapping, reachable
        using var child = HostProcess.Start();
        var index = int.Parse((await child.ExpectAsync(_dir.AttachCommand(), "attached "))[1]);

        var system = new Endpoint(int.Parse((await child.ExpectAsync("bind 3 fs-server", "bound "))[1]));
        var user = new Endpoint(int.Parse((await child.ExpectAsync("bind 16 client-ü", "bound "))[1]));
        Assert.Equal((Endpoint.Of(0, 3), Endpoint.Of(1, 16)), (system, user));
        AssertBound(region, system, "fs-server", index);
        AssertBound(region, user, "client-ü", index);
        Assert.Equal(SlotState.Free, StateOf(region, 4));

        await child.ExpectAsync("unbind 16", "unbound");
        Assert.Equal(SlotState.Free, StateOf(region, 16));
        Assert.Equal(user, EndpointOf(region, 16));       // kept: the next bind takes generation 2
        Assert.Equal(Endpoint.Of(2, 16).Value, int.Parse((await child.ExpectAsync("bind 16 again", "bound "))[1]));
        AssertBound(region, Endpoint.Of(2, 16), "again", index);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_slot_another_process_bound_is_used_by_its_record_alone()
    {
        using var arena = Arena.Attach(_dir.Options());
        using var child = HostProcess.Start();
        await child.ExpectAsync(_dir.AttachCommand(), "attached ");
        await child.ExpectAsync("bind 3 fs-server", "bound ");
        await child.ExpectAsync("bind 16 first-user", "bound ");

        // A kernel here has no view of the child's slots: only the records say they are taken. (Calls between the
        // two processes need the shared lock words of the next step; this test only binds, one process at a time.)
        var slots = arena.Layout.SlotCount;
        var kernel = new IpcKernel(16, slots - 16, _ => Privileges.Full, 1 << 20, arena.SlotRegion(slots));
        var used = Assert.Throws<IpcException>(() => kernel.Bind(3, new NoWakeups(), OwnerKind.Thread, "second fs"));
        Assert.Equal(IpcStatus.SlotUsed, used.Status);
        Assert.Contains("fs-server", used.Message);
        var mine = kernel.Bind(null, new NoWakeups(), OwnerKind.Thread, "here");
        Assert.Equal(Endpoint.Of(1, 17), mine.Ep);
        AssertBound(kernel.Region, mine.Ep, "here", arena.ProcessIndex);
    }

    // Nothing in these tests blocks, so the kernel never wakes an owner; a wakeup would be a failure.
    private sealed class NoWakeups : IEndpointPort
    {
        public void Completed() => throw new InvalidOperationException("no call of this endpoint blocks here");

        public void Pending() => throw new InvalidOperationException("nothing is sent to this endpoint here");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_region_for_another_slot_count_than_the_header_is_LayoutMismatch()
    {
        await Task.Yield();
        using var arena = Arena.Attach(_dir.Options());
        var e = Assert.Throws<ArenaException>(() => arena.SlotRegion(arena.Layout.SlotCount - 1));
        Assert.Equal(ArenaFailure.LayoutMismatch, e.Reason);
        Assert.Equal(arena.Layout.SlotRecordSize, arena.SlotRegion(arena.Layout.SlotCount).RecordSize);
    }

    private static unsafe SlotState StateOf(KernelRegion region, int slot) =>
        (SlotState)Volatile.Read(ref region.Record(slot)->State);

    private static unsafe Endpoint EndpointOf(KernelRegion region, int slot) => region.Record(slot)->Endpoint;

    private static unsafe void AssertBound(KernelRegion region, Endpoint ep, string owner, int processIndex)
    {
        var record = region.Record(ep.Slot);
        Assert.Equal((int)SlotState.Bound, Volatile.Read(ref record->State));
        Assert.Equal(ep, record->Endpoint);
        Assert.Equal((OwnerKind.Thread, processIndex), (record->Kind, record->ProcessIndex));
        Assert.Equal((ProcFlags.None, -1, -1), (record->Flags, record->QueueHead, record->QueueTail));
        Assert.Equal(owner, region.OwnerName(ep.Slot));
    }
}
