using M3Actors.Kernel;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Tests.Core.TestBytes;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// vcopy across nodes: COPY1 (the requester is a party) both ways between two nodes, COPY2 with requester, source and
/// destination on three nodes (and both parties on one node the requester is not on), a copy of many chunks, the
/// statuses a remote party's node decides (Range, CallDenied, ProcState, Busy), a party that ends mid-copy (DstDied)
/// and a party's node killed mid-copy (NotConnected; every party unpinned). Every wait is bounded.
/// </summary>
public sealed class RemoteCopyTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 90_000)]
    public async Task Copy1_a_server_copies_from_and_to_a_sendrec_client_on_another_node()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "client");
        var clientData = Pattern(1000, 1);
        var clientInbox = new byte[1000];
        var clientOut = client.RegisterBuffer(clientData, BufferAccess.Read);
        var clientIn = client.RegisterBuffer(clientInbox, BufferAccess.Write);
        var serverBuffer = new byte[2000];
        var serverBuf = server.RegisterBuffer(serverBuffer, BufferAccess.ReadWrite);
        Array.Fill(serverBuffer, (byte)0xAB, 1000, 1000);

        var calling = OnThread(() =>
        {
            var m = new Message(1);
            return (client.SendRec(Endpoint.System(5), ref m, Patience), m);
        });
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var request, Patience));
        Assert.Equal(client.Endpoint, request.Source);
        // The requester is the destination: pull the client's bytes across.
        Assert.Equal(IpcStatus.Ok, server.VCopy(client.Endpoint, new(clientOut), Endpoint.Self, new(serverBuf), 1000));
        Assert.Equal(clientData, serverBuffer[..1000]);
        // The requester is the source: push into the client's inbox at an offset.
        Assert.Equal(IpcStatus.Ok,
            server.VCopy(Endpoint.Self, new(serverBuf, 1000), client.Endpoint, new(clientIn, 100), 900));
        Assert.Equal(Enumerable.Repeat((byte)0xAB, 900), clientInbox[100..]);
        Assert.Equal(new byte[100], clientInbox[..100]);

        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, new Message(2)));
        var (status, reply) = await calling.WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 2), (status, reply.Type));
        Assert.False(PinnedOn(nodes[2], client.Endpoint));
        Assert.Equal(1000, nodes[2].Snapshot().BytesCopied);       // counted on the source's node
        Assert.Equal(900, nodes[1].Snapshot().BytesCopied);
    }

    [Fact(Timeout = 120_000)]
    public async Task Copy2_requester_source_and_destination_on_three_nodes_copy_four_MiB_intact()
    {
        await using var nodes = await BridgeNodes.StartAsync(3, Output);
        using var requester = nodes[1].Bind(slot: 5, owner: "requester");
        using var a = nodes[2].Bind(owner: "source");
        using var b = nodes[3].Bind(owner: "destination");
        await nodes[1].WhenBoundAsync(a.Endpoint.Slot, Patience);
        await nodes[1].WhenBoundAsync(b.Endpoint.Slot, Patience);
        await nodes[2].WhenBoundAsync(5, Patience);
        await nodes[3].WhenBoundAsync(5, Patience);
        const int bytes = 4 * 1024 * 1024;       // the largest copy: 64 chunks, a window of 8 in flight
        var source = Pattern(bytes, 2);
        var target = new byte[bytes + 10];
        var aBuf = a.RegisterBuffer(source, BufferAccess.Read);
        var bBuf = b.RegisterBuffer(target, BufferAccess.Write);
        var aWaits = OnThread(() => a.Receive(Endpoint.System(5), out _, Patience));
        var bWaits = OnThread(() => b.Receive(Endpoint.Any, out _, Patience));
        await AwaitStateAsync(nodes[2], a.Endpoint, "RECEIVING");
        await AwaitStateAsync(nodes[3], b.Endpoint, "RECEIVING");

        Assert.Equal(IpcStatus.Ok, requester.VCopy(a.Endpoint, new(aBuf), b.Endpoint, new(bBuf, 10), bytes));
        Assert.True(source.AsSpan().SequenceEqual(target.AsSpan(10)), "the destination holds the source's bytes");
        Assert.Equal(new byte[10], target[..10]);

        // The parties are unpinned (on their nodes, once the requester's close arrives) and go on as usual.
        Assert.Equal(IpcStatus.Ok, requester.Send(a.Endpoint, new Message(1), Patience));
        Assert.Equal(IpcStatus.Ok, requester.Send(b.Endpoint, new Message(2), Patience));
        Assert.Equal(IpcStatus.Ok, await aWaits.WaitAsync(Patience));
        Assert.Equal(IpcStatus.Ok, await bWaits.WaitAsync(Patience));
        Assert.Equal(bytes, nodes[2].Snapshot().BytesCopied);
    }

    [Fact(Timeout = 90_000)]
    public async Task Copy2_both_parties_on_one_node_and_the_requester_on_another()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var requester = nodes[1].Bind(slot: 5, owner: "requester");
        using var a = nodes[2].Bind(owner: "source");
        using var b = nodes[2].Bind(owner: "destination");
        await nodes[1].WhenBoundAsync(b.Endpoint.Slot, Patience);
        await nodes[1].WhenBoundAsync(a.Endpoint.Slot, Patience);
        var source = Pattern(200_000, 3);       // four chunks
        var target = new byte[200_000];
        var aBuf = a.RegisterBuffer(source, BufferAccess.Read);
        var bBuf = b.RegisterBuffer(target, BufferAccess.Write);
        var aWaits = OnThread(() => a.Receive(Endpoint.Any, out _, Patience));
        var bWaits = OnThread(() => b.Receive(Endpoint.Any, out _, Patience));
        await AwaitStateAsync(nodes[2], a.Endpoint, "RECEIVING");
        await AwaitStateAsync(nodes[2], b.Endpoint, "RECEIVING");

        Assert.Equal(IpcStatus.Ok, requester.VCopy(a.Endpoint, new(aBuf), b.Endpoint, new(bBuf), source.Length));
        Assert.Equal(source, target);
        Assert.Equal(IpcStatus.Ok, requester.Send(a.Endpoint, new Message(1), Patience));
        Assert.Equal(IpcStatus.Ok, requester.Send(b.Endpoint, new Message(2), Patience));
        Assert.Equal(IpcStatus.Ok, await aWaits.WaitAsync(Patience));
        Assert.Equal(IpcStatus.Ok, await bWaits.WaitAsync(Patience));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_remote_partys_node_refuses_as_a_local_copy_would()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var requester = nodes[1].Bind(slot: 5, owner: "requester");
        using var idle = nodes[2].Bind(owner: "idle");
        using var b = nodes[2].Bind(owner: "destination");
        await nodes[1].WhenBoundAsync(idle.Endpoint.Slot, Patience);
        await nodes[1].WhenBoundAsync(b.Endpoint.Slot, Patience);
        var mine = requester.RegisterBuffer(Pattern(100, 4), BufferAccess.Read);
        var idleBuf = idle.RegisterBuffer(new byte[100], BufferAccess.Write);
        var readOnly = b.RegisterBuffer(new byte[100], BufferAccess.Read);
        var writable = b.RegisterBuffer(new byte[100], BufferAccess.Write);

        // Not blocked: ProcState, decided on the party's node.
        Assert.Equal(IpcStatus.ProcState, requester.VCopy(Endpoint.Self, new(mine), idle.Endpoint, new(idleBuf), 100));
        Assert.Contains(idle.Endpoint.ToString(), requester.LastError);

        var bWaits = OnThread(() => b.Receive(Endpoint.Any, out _, Patience));
        await AwaitStateAsync(nodes[2], b.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.CallDenied, requester.VCopy(Endpoint.Self, new(mine), b.Endpoint, new(readOnly), 100));
        Assert.Equal(IpcStatus.Range, requester.VCopy(Endpoint.Self, new(mine), b.Endpoint, new(writable, 1), 100));
        Assert.Equal(IpcStatus.Range, requester.VCopy(Endpoint.Self, new(mine), b.Endpoint, new(99), 10));
        // Checked on the requester's node before anything travels, as locally.
        Assert.Equal(IpcStatus.Range, requester.VCopy(Endpoint.Self, new(mine), b.Endpoint, new(writable), -1));
        Assert.Equal(IpcStatus.Range, requester.VCopy(Endpoint.Self, new(mine, 50), b.Endpoint, new(writable), 100));
        Assert.False(PinnedOn(nodes[2], b.Endpoint));
        Assert.Equal(IpcStatus.Ok, requester.VCopy(Endpoint.Self, new(mine), b.Endpoint, new(writable), 100));

        Assert.Equal(IpcStatus.Ok, requester.Send(b.Endpoint, new Message(1), Patience));
        Assert.Equal(IpcStatus.Ok, await bWaits.WaitAsync(Patience));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_party_of_a_copy_under_way_is_Busy_for_another_copy_on_either_node()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var requester = nodes[1].Bind(slot: 5, owner: "requester");
        using var other = nodes[1].Bind(owner: "other");
        using var b = nodes[2].Bind(owner: "destination");
        using var local = nodes[2].Bind(owner: "local");
        await nodes[1].WhenBoundAsync(b.Endpoint.Slot, Patience);
        var source = Pattern(300_000, 5);
        var target = new byte[300_000];
        var mine = requester.RegisterBuffer(source, BufferAccess.Read);
        var others = other.RegisterBuffer(new byte[10], BufferAccess.Read);
        var locals = local.RegisterBuffer(new byte[10], BufferAccess.Read);
        var bBuf = b.RegisterBuffer(target, BufferAccess.Write);
        var bWaits = OnThread(() => b.Receive(Endpoint.Any, out _, Patience));
        await AwaitStateAsync(nodes[2], b.Endpoint, "RECEIVING");

        using var holding = new CopyHold(nodes[1].Kernel);
        var copying = OnThread(() => requester.VCopy(Endpoint.Self, new(mine), b.Endpoint, new(bBuf), source.Length));
        Assert.True(await holding.Reached.WaitAsync(Patience), "the copy read its first chunk");
        Assert.True(PinnedOn(nodes[2], b.Endpoint));
        Assert.Equal(IpcStatus.Busy, other.VCopy(Endpoint.Self, new(others), b.Endpoint, new(bBuf), 10));
        Assert.Equal(IpcStatus.Busy, local.VCopy(Endpoint.Self, new(locals), b.Endpoint, new(bBuf), 10));
        holding.Release();

        Assert.Equal(IpcStatus.Ok, await copying.WaitAsync(Patience));
        Assert.Equal(source, target);
        Assert.Equal(IpcStatus.Ok, requester.Send(b.Endpoint, new Message(1), Patience));
        Assert.Equal(IpcStatus.Ok, await bWaits.WaitAsync(Patience));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_destination_that_ends_mid_copy_ends_it_with_DstDied()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var requester = nodes[1].Bind(slot: 5, owner: "requester");
        var b = nodes[2].Bind(owner: "destination");
        await nodes[1].WhenBoundAsync(b.Endpoint.Slot, Patience);
        var mine = requester.RegisterBuffer(Pattern(1_000_000, 6), BufferAccess.Read);
        var bBuf = b.RegisterBuffer(new byte[1_000_000], BufferAccess.Write);
        var bWaits = OnThread(() => b.Receive(Endpoint.Any, out _, Patience));
        await AwaitStateAsync(nodes[2], b.Endpoint, "RECEIVING");

        using var holding = new CopyHold(nodes[1].Kernel);
        var copying = OnThread(() => requester.VCopy(Endpoint.Self, new(mine), b.Endpoint, new(bBuf), 1_000_000));
        Assert.True(await holding.Reached.WaitAsync(Patience), "the copy read its first chunk");
        b.Dispose();        // its receive ends, but its outcome is held while the copy pins it
        holding.Release();

        Assert.Equal(IpcStatus.DstDied, await copying.WaitAsync(Patience));
        Assert.Contains("destination", requester.LastError);
        Assert.False(PinnedOn(nodes[1], requester.Endpoint));
        Assert.Equal(IpcStatus.NotBound, await bWaits.WaitAsync(Patience));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_partys_node_killed_mid_copy_ends_it_with_NotConnected_and_the_parties_are_unpinned()
    {
        await using var nodes = await BridgeNodes.StartAsync(3, Output);
        using var requester = nodes[1].Bind(slot: 5, owner: "requester");
        using var a = nodes[1].Bind(owner: "source");
        using var b = nodes[3].Bind(owner: "destination");
        await nodes[1].WhenBoundAsync(b.Endpoint.Slot, Patience);
        var aBuf = a.RegisterBuffer(Pattern(1_000_000, 7), BufferAccess.Read);
        var bBuf = b.RegisterBuffer(new byte[1_000_000], BufferAccess.Write);
        var aWaits = OnThread(() => a.Receive(Endpoint.Any, out _, Patience));
        _ = OnThread(() => b.Receive(Endpoint.Any, out _, Patience));      // ends with its node
        await AwaitStateAsync(nodes[1], a.Endpoint, "RECEIVING");
        await AwaitStateAsync(nodes[3], b.Endpoint, "RECEIVING");

        using var holding = new CopyHold(nodes[1].Kernel);
        var copying = OnThread(() => requester.VCopy(a.Endpoint, new(aBuf), b.Endpoint, new(bBuf), 1_000_000));
        Assert.True(await holding.Reached.WaitAsync(Patience), "the copy read its first chunk");
        Assert.True(PinnedOn(nodes[1], a.Endpoint));
        await nodes.KillAsync(3).WaitAsync(Patience);
        holding.Release();

        Assert.Equal(IpcStatus.NotConnected, await copying.WaitAsync(Patience));
        Assert.False(PinnedOn(nodes[1], a.Endpoint));
        Assert.Equal(IpcStatus.Ok, requester.Send(a.Endpoint, new Message(1), Patience));
        Assert.Equal(IpcStatus.Ok, await aWaits.WaitAsync(Patience));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_requesters_node_killed_mid_copy_leaves_no_party_pinned_on_the_others()
    {
        await using var nodes = await BridgeNodes.StartAsync(3, Output);
        using var a = nodes[1].Bind(owner: "source");
        using var b = nodes[2].Bind(owner: "destination");
        using var requester = nodes[3].Bind(slot: 5, owner: "requester");
        await nodes[3].WhenBoundAsync(a.Endpoint.Slot, Patience);
        await nodes[3].WhenBoundAsync(b.Endpoint.Slot, Patience);
        var aBuf = a.RegisterBuffer(Pattern(1_000_000, 8), BufferAccess.Read);
        var bBuf = b.RegisterBuffer(new byte[1_000_000], BufferAccess.Write);
        var aWaits = OnThread(() => a.Receive(Endpoint.Any, out _, Patience));
        var bWaits = OnThread(() => b.Receive(Endpoint.Any, out _, Patience));
        await AwaitStateAsync(nodes[1], a.Endpoint, "RECEIVING");
        await AwaitStateAsync(nodes[2], b.Endpoint, "RECEIVING");

        using var holding = new CopyHold(nodes[1].Kernel);      // the source's node, streaming to node 2
        var copying = OnThread(() => requester.VCopy(a.Endpoint, new(aBuf), b.Endpoint, new(bBuf), 1_000_000));
        Assert.True(await holding.Reached.WaitAsync(Patience), "the copy read its first chunk");
        Assert.True(PinnedOn(nodes[1], a.Endpoint));
        Assert.True(PinnedOn(nodes[2], b.Endpoint));
        await nodes.KillAsync(3).WaitAsync(Patience);
        holding.Release();

        // The requester ended with its VM's system (or its node's loss); the survivors unpin their parties either
        // way — the requester's CLOSE, or the requester's node unreachable — and the parties go on.
        Assert.NotEqual(IpcStatus.Ok, await copying.WaitAsync(Patience));
        await AwaitAssertAsync(() => Assert.False(PinnedOn(nodes[1], a.Endpoint)), Patience);
        await AwaitAssertAsync(() => Assert.False(PinnedOn(nodes[2], b.Endpoint)), Patience);
        using var survivor = nodes[1].Bind(owner: "survivor");
        await nodes[2].WhenBoundAsync(survivor.Endpoint.Slot, Patience);
        Assert.Equal(IpcStatus.Ok, survivor.Send(a.Endpoint, new Message(1), Patience));
        Assert.Equal(IpcStatus.Ok, survivor.Send(b.Endpoint, new Message(2), Patience));
        Assert.Equal(IpcStatus.Ok, await aWaits.WaitAsync(Patience));
        Assert.Equal(IpcStatus.Ok, await bWaits.WaitAsync(Patience));
    }

    private static bool PinnedOn(Vm vm, Endpoint e) => vm.Kernel.ProcAt(e.Slot) is { } p && p.Ep == e && p.Copying;

    private Task AwaitStateAsync(Vm vm, Endpoint e, string state) => AwaitAssertAsync(
        () => Assert.StartsWith(state, vm.Snapshot().Procs.Single(p => p.Endpoint == e).State), Patience);

    private static Task<T> OnThread<T>(Func<T> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Holds a copy after the first chunk its source's node reads (the kernel's chunk hook, on the streaming thread),
    /// until <see cref="Release"/>: the copy is then under way, both parties pinned, for as long as the test needs.
    /// </summary>
    private sealed class CopyHold : IDisposable
    {
        private readonly IpcKernel _kernel;
        private readonly ManualResetEventSlim _release = new();
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _chunks;

        internal CopyHold(IpcKernel kernel)
        {
            _kernel = kernel;
            kernel.ChunkCopied = () =>
            {
                if (Interlocked.Increment(ref _chunks) != 1) return;
                _reached.TrySetResult();
                _release.Wait(Patience);
            };
        }

        internal Task<bool> Reached => _reached.Task.ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);

        internal void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            _kernel.ChunkCopied = null;
            _release.Dispose();
        }
    }
}
