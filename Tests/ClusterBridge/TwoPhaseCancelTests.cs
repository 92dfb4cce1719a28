using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// Two-phase cancel across nodes: a call to a remote endpoint that times out (or is cancelled) after it was shipped
/// ends only when the owner node has answered the CANCEL, so a send is never both reported timed out and delivered.
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

    [Fact(Timeout = 90_000)]
    public async Task A_cancelled_async_send_waits_for_the_owner_and_is_withdrawn_there()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        using var server = nodes[1].Bind(slot: 5, owner: "server");
        await nodes[2].WhenBoundAsync(5, Patience);
        using var client = nodes[2].Bind(owner: "client");
        await nodes[1].WhenBoundAsync(client.Endpoint.Slot, Patience);

        using var cancel = new CancellationTokenSource();
        var sending = client.SendAsync(Endpoint.System(5), new Message(7), cancel.Token).AsTask();
        await AwaitAssertAsync(() => Assert.Contains(client.Endpoint,
            nodes[1].Snapshot().Procs.Single(p => p.Slot == 5).QueuedSenders), Patience);
        await cancel.CancelAsync();
        // It was shipped, so the owner's answer ends it: TimedOut (withdrawn there), not a cancellation decided
        // here. The owner withdrew it before answering: the server finds nothing, at once.
        Assert.Equal(IpcStatus.TimedOut, await sending.WaitAsync(Patience));
        Assert.Empty(nodes[1].Snapshot().Procs.Single(p => p.Slot == 5).QueuedSenders);
        Assert.Equal(IpcStatus.Again, server.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }
}
