using M3Actors.ClusterBridge.Directory;
using M3Actors.Kernel;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// The replicated directory: binds on any node become ghosts on the others (seen in /proc), unbinds remove them,
/// stale generations stay stale, user slots come from each node's own block, and a system slot bound on two nodes
/// at once is kept by the lower node id.
/// </summary>
public sealed class DirectoryTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 120_000)]
    public async Task Binds_on_three_nodes_converge_to_ghosts_everywhere_and_unbinds_remove_them()
    {
        await using var nodes = await BridgeNodes.StartAsync(3, Output);
        var handles = Enumerable.Range(1, 3).Select(n => nodes[n].Bind(owner: $"on-{n}")).ToList();
        var where = handles.ToDictionary(h => h.Endpoint, h => handles.IndexOf(h) + 1);
        for (var n = 1; n <= 3; n++)
        {
            var node = n;
            await AwaitAssertAsync(() =>
            {
                var procs = nodes[node].Snapshot().Procs;
                foreach (var (endpoint, host) in where)
                {
                    var p = procs.Single(p => p.Endpoint == endpoint);
                    Assert.Equal(host == node ? null : host, p.Node);
                    Assert.Equal(host == node ? OwnerKind.Thread : OwnerKind.Remote, p.Kind);
                }
            }, Patience);
        }
        Output.WriteLine(ProcView.Render(nodes[1].Snapshot()));

        handles[2].Dispose();       // node 3's endpoint goes: its ghosts on nodes 1 and 2 go too
        foreach (var n in new[] { 1, 2 })
            await AwaitAssertAsync(
                () => Assert.DoesNotContain(nodes[n].Snapshot().Procs, p => p.Endpoint == handles[2].Endpoint), Patience);
        handles[0].Dispose();
        handles[1].Dispose();
    }

    [Fact(Timeout = 90_000)]
    public async Task A_stale_generation_stays_stale_across_nodes()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "server");
        var partition = new SlotPartition(new HashSet<int> { 1, 2 }, 16, 240);
        var slot = Enumerable.Range(16, 240).First(s => partition.OwnerOf(s) == 2);
        var old = nodes[2].Bind(slot, owner: "first");
        var oldEp = old.Endpoint;
        await AwaitAssertAsync(() => Assert.Contains(nodes[1].Snapshot().Procs, p => p.Endpoint == oldEp), Patience);

        old.Dispose();
        await AwaitAssertAsync(() => Assert.DoesNotContain(nodes[1].Snapshot().Procs, p => p.Slot == slot), Patience);
        Assert.Equal(IpcStatus.DstDied, server.Send(oldEp, new Message(1), Patience));     // unbound: not alive
        var m = new Message(1);
        Assert.Equal(IpcStatus.DeadSrcDst, server.SendRec(oldEp, ref m, Patience));

        using var rebound = nodes[2].Bind(slot, owner: "second");
        Assert.NotEqual(oldEp, rebound.Endpoint);
        await AwaitAssertAsync(() => Assert.Contains(nodes[1].Snapshot().Procs, p => p.Endpoint == rebound.Endpoint), Patience);
        Assert.Equal(IpcStatus.BadEndpoint, server.Send(oldEp, new Message(1), Patience));   // rebound: stale
    }

    [Fact(Timeout = 90_000)]
    public async Task Each_node_allocates_user_slots_from_its_own_block_and_refuses_the_others()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output, userSlots: 8);
        var partition = new SlotPartition(new HashSet<int> { 1, 2 }, 16, 8);
        var mine = Enumerable.Range(0, 4).Select(_ => nodes[2].Bind()).ToList();
        Assert.All(mine, h => Assert.Equal(2, partition.OwnerOf(h.Endpoint.Slot)));
        Assert.Equal(IpcStatus.Busy, Assert.Throws<IpcException>(() => nodes[2].Bind()).Status);    // its block is full
        var error = Assert.Throws<IpcException>(() => nodes[2].Bind(slot: 16));                     // node 1's block
        Assert.Equal(IpcStatus.SlotUsed, error.Status);
        Assert.Contains("another node's partition", error.Message);
        foreach (var h in mine) h.Dispose();
    }

    [Fact(Timeout = 90_000)]
    public async Task A_system_slot_bound_on_two_nodes_at_once_is_kept_by_the_lower_node_id()
    {
        // Each node binds slot 9 before its bridge starts, so neither bind can see the other's entry: a true race.
        // Node 2's server is already receiving: the call it has under way ends with SlotUsed when it loses.
        var servers = new Dictionary<int, EndpointHandle>();
        Task<IpcStatus>? losersReceive = null;
        await using var nodes = await BridgeNodes.StartAsync(2, Output, beforeBridge: (node, vm) =>
        {
            var server = servers[node] = vm.Bind(slot: 9, owner: $"node-{node}-server");
            if (node != 2) return;
            losersReceive = Task.Factory.StartNew(() => server.Receive(Endpoint.Any, out _, Patience),
                TaskCreationOptions.LongRunning);
            Assert.True(SpinWait.SpinUntil(
                () => vm.Snapshot().Procs.Any(p => p.Slot == 9 && p.State.StartsWith("RECEIVING")), Patience));
        });
        using var first = servers[1];
        using var second = servers[2];
        Assert.Equal(IpcStatus.SlotUsed, await losersReceive!.WaitAsync(Patience));
        Assert.False(second.IsBound);
        Assert.True(first.IsBound);
        await AwaitAssertAsync(() =>
        {
            var p = nodes[2].Snapshot().Procs.Single(p => p.Slot == 9);
            Assert.Equal((OwnerKind.Remote, (int?)1), (p.Kind, p.Node));
        }, Patience);
        Assert.Equal(IpcStatus.NotBound, second.Send(Endpoint.System(5), new Message(1), Patience));
        Assert.Equal(IpcStatus.SlotUsed, Assert.Throws<IpcException>(() => nodes[2].Bind(slot: 9)).Status);
        Assert.True(first.IsBound);
    }
}
