using Akka.Event;
using M3Actors.ClusterBridge.Copies;
using M3Actors.ClusterBridge.Directory;
using M3Actors.ClusterBridge.Frames;
using M3Actors.ClusterBridge.Proxies;
using M3Actors.Kernel;
using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// A call frame can arrive before the directory entry of its caller: the node proxy then makes the caller's ghost
/// itself. /proc names the node the frame came from at once, and the owner's name once the directory lists it,
/// without rebinding the ghost. Driven in one VM with node 2's proxy fed a batch as Akka.Remote would deliver it.
/// </summary>
public sealed class FrameGhostTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task A_ghost_made_for_a_frame_names_its_node_and_takes_its_owner_name_when_listed()
    {
        var partition = new SlotPartition(new HashSet<int> { 1, 2 }, Vm.Options.SystemSlots, Vm.Options.UserSlots);
        var link = new NodeLink(2, Vm.Kernel);
        var links = new Dictionary<int, NodeLink> { [2] = link };
        var ghosts = new GhostTable(Vm.Kernel);
        var copies = new CopyEngine(Vm.Kernel, 1, links, Patience, Logging.GetLogger(Vm.System, GetType()));
        link.Proxy = Vm.System.ActorOf(NodeProxy.Props(Vm.Kernel, link, ghosts, partition, copies), "n2");
        using var server = Vm.Bind(slot: 5, owner: "server");
        var slot = Enumerable.Range(Vm.Options.SystemSlots, Vm.Options.UserSlots).First(s => partition.Owns(2, s));
        var caller = Endpoint.Of(1, slot);

        var receiving = ReceiveOnThread(server, Endpoint.Any, Patience);
        var message = new Message(7);
        link.Proxy.Tell(Batch(new IpcFrame(FrameKind.Send, 1, caller, server.Endpoint, IpcStatus.Ok, in message)),
            Akka.Actor.ActorRefs.NoSender);
        var (status, got) = await receiving.WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 7, caller), (status, got.Type, got.Source));
        var ghost = ProcOf(caller)!;
        Assert.Equal((OwnerKind.Remote, (int?)2, "node 2 (not listed yet)"), (ghost.Kind, ghost.Node, ghost.Owner));
        Assert.Contains("node 2 (not listed yet)", ProcView.Render(Vm.Snapshot()));

        // The directory's entry arrives: the same ghost (its counters kept) takes the owner's name.
        var made = ghosts.Find(caller, link);
        Assert.Same(made, ghosts.Ensure(caller, "client", link, listed: true));
        var listed = ProcOf(caller)!;
        Assert.Equal(("node 2: client", 1L), (listed.Owner, listed.Sent));
        Assert.Contains("node 2: client", ProcView.Render(Vm.Snapshot()));
    }

    private static FrameBatch Batch(in IpcFrame frame)
    {
        var bytes = new byte[1 + FrameCodec.MaxFrameSize];
        bytes[0] = FrameCodec.Version;
        var end = 1;
        FrameCodec.Write(in frame, bytes, ref end);
        return new FrameBatch(bytes[..end]);
    }
}
