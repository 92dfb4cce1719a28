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
        var user = new Endpoint(int.Parse((await child.ExpectAsync("bind 40 client-ü", "bound "))[1]));
        Assert.Equal((Endpoint.Of(0, 3), Endpoint.Of(1, 40)), (system, user));
        AssertBound(region, system, "fs-server", index);
        AssertBound(region, user, "client-ü", index);
        Assert.Equal(SlotState.Free, StateOf(region, 4));

        await child.ExpectAsync("unbind 40", "unbound");
        Assert.Equal(SlotState.Free, StateOf(region, 40));
        Assert.Equal(user, EndpointOf(region, 40));       // kept: the next bind takes generation 2
        Assert.Equal(Endpoint.Of(2, 40).Value, int.Parse((await child.ExpectAsync("bind 40 again", "bound "))[1]));
        AssertBound(region, Endpoint.Of(2, 40), "again", index);
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
