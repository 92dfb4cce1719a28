using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// Two-phase cancel across nodes: a call to a remote endpoint that times out (or is cancelled) after it was shipped
/// ends only when the owner node has answered the CANCEL, so a send is never both reported timed out and delivered.
/// A cancelled async call that the owner withdrew throws <see cref="OperationCanceledException"/>, as a local one.
/// </summary>
public sealed class TwoPhaseCancelTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 120_000)]
    public async Task Sends_that_time_out_while_the_owner_is_slow_to_take_them_are_never_delivered()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "slow-server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "impatient");
        await nodes[1].WhenBoundAsync(client.Endpoint.Slot, Patience);

        // The server takes a message only now and then: between short receives from the client it waits a few ms
        // for a partner that never sends. The client's timeouts are of the same order (a few round trips), so
        // timeouts race with deliveries on the owner node.
        using var quiet = nodes[1].Bind(owner: "never-sends");
        using var stop = new CancellationTokenSource();
        var serving = Task.Factory.StartNew(() =>
        {
            var taken = new List<int>();
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var status = server.Receive(client.Endpoint, out var m, TimeSpan.FromMilliseconds(1));
                if (status == IpcStatus.Ok) taken.Add(m.Type);
                else if (status != IpcStatus.TimedOut) throw new InvalidOperationException($"receive: {status}");
                if (server.Receive(quiet.Endpoint, out _, TimeSpan.FromMilliseconds(1 + round % 5)) != IpcStatus.TimedOut)
                    throw new InvalidOperationException("a receive from an endpoint that never sends returned");
            }
            return taken;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var delivered = new List<int>();
        var timedOut = 0;
        for (var i = 1; i <= 200; i++)
        {
            var status = client.Send(Endpoint.System(5), new Message(i), TimeSpan.FromMilliseconds(1 + i % 7));
            if (status == IpcStatus.Ok) delivered.Add(i);
            else if (status == IpcStatus.TimedOut) timedOut++;
            else Assert.Fail($"send {i}: {status} ({client.LastError})");
        }
        await stop.CancelAsync();
        var taken = await serving.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Again, server.Receive(Endpoint.Any, out _, TimeSpan.Zero));    // nothing left queued
        Output.WriteLine($"{delivered.Count} delivered, {timedOut} timed out");
        Assert.Equal(delivered, taken);     // every Ok was taken once, in order, and no timed-out send at all
    }

    [Theory(Timeout = 90_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cancelled_async_call_to_a_remote_partner_throws_as_a_local_one_and_is_withdrawn(bool sendRec)
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var remote = nodes[1].Bind(slot: 5, owner: "remote-server");
        using var local = nodes[2].Bind(slot: 6, owner: "local-server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "client");
        await nodes[1].WhenBoundAsync(client.Endpoint.Slot, Patience);

        // The same call, queued on a server that never receives, cancelled: here and across nodes.
        foreach (var (node, server) in new[] { (nodes[2], local), (nodes[1], remote) })
        {
            using var cancel = new CancellationTokenSource();
            Task call = sendRec
                ? client.SendRecAsync(server.Endpoint, new Message(7), cancel.Token).AsTask()
                : client.SendAsync(server.Endpoint, new Message(7), cancel.Token).AsTask();
            await AwaitAssertAsync(() => Assert.Contains(client.Endpoint,
                node.Snapshot().Procs.Single(p => p.Slot == server.Endpoint.Slot).QueuedSenders), Patience);
            await cancel.CancelAsync();
            // Across nodes the owner's answer decides (two-phase): it withdrew the call, and the caller sees the
            // cancellation as a local caller does, not the TimedOut the owner answered.
            var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
            Assert.Equal(cancel.Token, error.CancellationToken);
            Assert.Empty(node.Snapshot().Procs.Single(p => p.Slot == server.Endpoint.Slot).QueuedSenders);
            Assert.Equal(IpcStatus.Again, server.Receive(Endpoint.Any, out _, TimeSpan.Zero));
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_cancelled_remote_sendrec_whose_request_was_taken_throws_and_its_late_reply_is_discarded()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "client");
        await nodes[1].WhenBoundAsync(client.Endpoint.Slot, Patience);

        using var cancel = new CancellationTokenSource();
        var call = client.SendRecAsync(Endpoint.System(5), new Message(7), cancel.Token).AsTask();
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var request, Patience));     // taken, not answered
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        // Rulebook §12.1 across nodes: the late reply is discarded on the owner node (Ok for the server), and the
        // caller's next call is not completed by it.
        Assert.Equal(IpcStatus.Ok, server.Reply(request.Source, new Message(99)));
        var next = client.SendRecAsync(Endpoint.System(5), new Message(8)).AsTask();
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var second, Patience));
        Assert.Equal(8, second.Type);
        Assert.Equal(IpcStatus.Ok, server.Reply(second.Source, new Message(100)));
        var reply = await next.WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 100), (reply.Status, reply.Message.Type));
    }
}
