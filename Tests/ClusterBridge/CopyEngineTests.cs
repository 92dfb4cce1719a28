using Akka.Event;
using M3Actors.ClusterBridge.Copies;
using M3Actors.ClusterBridge.Frames;
using M3Actors.ClusterBridge.Proxies;
using Xunit;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// The destination's side of a vcopy across nodes, fed frames as a peer would send them (no cluster: the peers'
/// links are not connected, so the answers go nowhere). Network input is untrusted: a chunk from the wrong node, at
/// the wrong offset, past the copy's end or for an unknown copy writes nothing; the right chunks are written; the
/// party stays pinned until the requester's node closes the copy.
/// </summary>
public sealed class CopyEngineTests
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 30_000)]
    public async Task Only_the_next_chunk_from_the_source_node_of_an_open_copy_is_written()
    {
        await using var drvs = Drvs.Start(new DrvsOptions { NodeId = 1 });
        var vm = drvs.StartVm(new VmOptions { Id = 3, Name = "engine" });
        var links = new Dictionary<int, NodeLink> { [2] = new(2, vm.Kernel), [3] = new(3, vm.Kernel) };
        var engine = new CopyEngine(vm.Kernel, 1, links, Patience,
            Logging.GetLogger(vm.System, typeof(CopyEngineTests)));
        using var party = vm.Bind(owner: "destination");
        var target = new byte[100];
        var buffer = party.RegisterBuffer(target, BufferAccess.Write);
        var receiving = Task.Factory.StartNew(() => party.Receive(Endpoint.Any, out _, Patience),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(SpinWait.SpinUntil(() => vm.Snapshot().Procs.Single(p => p.Endpoint == party.Endpoint).State
            .StartsWith("RECEIVING", StringComparison.Ordinal), Patience), "the party is receiving");
        var requester = Endpoint.Of(1, 200);

        // Requester on node 2, source on node 3: 100 bytes into the party's buffer at 0.
        Feed(engine, links[2], CopyFrames.Open(FrameKind.CopyTo, 5, requester, party.Endpoint, new(buffer), 100, 3));
        Assert.True(vm.Kernel.ProcAt(party.Endpoint.Slot)!.Copying);

        Chunk(engine, links[2], copy: 5, requesterNode: 2, offset: 0, length: 60, fill: 1);      // not the source's node
        Chunk(engine, links[3], copy: 5, requesterNode: 2, offset: 10, length: 60, fill: 2);     // not the next offset
        Chunk(engine, links[3], copy: 6, requesterNode: 2, offset: 0, length: 60, fill: 3);      // unknown copy
        Chunk(engine, links[3], copy: 5, requesterNode: 3, offset: 0, length: 60, fill: 4);      // another requester
        Chunk(engine, links[3], copy: 5, requesterNode: 2, offset: 0, length: 101, fill: 5);     // past the end
        Assert.Equal(new byte[100], target);

        Chunk(engine, links[3], copy: 5, requesterNode: 2, offset: 0, length: 60, fill: 6);
        Chunk(engine, links[3], copy: 5, requesterNode: 2, offset: 60, length: 40, fill: 7);
        Assert.Equal(Enumerable.Repeat((byte)6, 60).Concat(Enumerable.Repeat((byte)7, 40)), target);
        Assert.True(vm.Kernel.ProcAt(party.Endpoint.Slot)!.Copying, "pinned until the requester's node closes");

        Feed(engine, links[3], CopyFrames.Status(FrameKind.CopyClose, 5, requester, party.Endpoint, IpcStatus.Ok));
        Assert.True(vm.Kernel.ProcAt(party.Endpoint.Slot)!.Copying, "only the requester's node closes its copy");
        Feed(engine, links[2], CopyFrames.Status(FrameKind.CopyClose, 5, requester, party.Endpoint, IpcStatus.Ok));
        Assert.False(vm.Kernel.ProcAt(party.Endpoint.Slot)!.Copying);
        party.Dispose();
        Assert.Equal(IpcStatus.NotBound, await receiving.WaitAsync(Patience));
    }

    private static void Feed(CopyEngine engine, NodeLink from, in IpcFrame frame)
    {
        var batch = new byte[1 + FrameCodec.MaxFrameSize];
        batch[0] = FrameCodec.Version;
        var end = 1;
        FrameCodec.Write(in frame, batch, ref end);
        engine.OnFrame(from, in frame, batch, end);
    }

    private static void Chunk(CopyEngine engine, NodeLink from, long copy, int requesterNode, int offset, int length,
        byte fill)
    {
        var batch = CopyFrames.ChunkBatch(copy, Endpoint.Of(1, 200), Endpoint.System(6), requesterNode, offset, length,
            out var data);
        data.Fill(fill);
        FrameCodec.Validate(batch);
        var at = 1;
        var frame = FrameCodec.Read(batch, ref at);
        engine.OnFrame(from, in frame, batch, at);
    }
}
