using M3Actors.Tests.Core;
using M3Actors.Tracing;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Ecosystem;

/// <summary>
/// The message trace records what the kernel did, in order: each test switches it on at run time, runs one primitive
/// between thread endpoints (made deterministic with the /proc states) and compares the events, rendered with short
/// names, with the expected sequence. Binds are left out of the comparison.
/// </summary>
public sealed class TraceTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 30_000)]
    public async Task Off_by_default_records_nothing()
    {
        using var client = Vm.Bind(owner: "client");
        using var server = Vm.Bind(owner: "server");
        await RoundTripsAsync(client, server, 3);
        Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));

        Assert.False(Vm.Trace.Enabled);
        var trace = Vm.Trace.Snapshot();
        Assert.Empty(trace.Events);
        Assert.Equal(0, trace.Recorded);
    }

    [Fact(Timeout = 30_000)]
    public async Task Send_to_a_receiver_records_its_call_block_delivery_and_wake()
    {
        using var client = Vm.Bind(owner: "client");
        using var server = Vm.Bind(owner: "server");
        Vm.Trace.Enabled = true;
        var receiving = ReceiveOnThread(server, Endpoint.Any, Patience);
        await AwaitState(server.Endpoint, "RECEIVING from ANY");
        Assert.Equal(IpcStatus.Ok, client.Send(server.Endpoint, Msg(7), Patience));
        Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);

        Assert.Equal(
        [
            "call     s receive -> ANY",
            "block    s in receive from ANY",
            "call     c send -> s, type 7",
            "deliver  c -> s: send, type 7",
            "wake     s: Ok (0)",
        ], Lines(client, server));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_queued_sendrec_and_its_reply_are_recorded_from_both_sides()
    {
        using var client = Vm.Bind(owner: "client");
        using var server = Vm.Bind(owner: "server");
        Vm.Trace.Enabled = true;
        var calling = SendRecOnThread(client, server.Endpoint, Msg(41), Patience);
        await AwaitState(client.Endpoint, $"SENDREC sending to {server.Endpoint}");
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var request, Patience));
        Assert.Equal(IpcStatus.Ok, server.Reply(request.Source, Msg(42)));
        Assert.Equal(42, (await calling.WaitAsync(Patience)).Message.Type);

        Assert.Equal(
        [
            "call     c sendrec -> s, type 41",
            "block    c in sendrec to s",
            "call     s receive -> ANY",
            "deliver  c -> s: sendrec, type 41",
            "call     s reply -> c, type 42",
            "deliver  s -> c: reply, type 42",
            "wake     c: Ok (0)",
        ], Lines(client, server));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_notify_is_recorded_pending_then_delivered_or_delivered_at_once()
    {
        using var client = Vm.Bind(owner: "client");
        using var server = Vm.Bind(owner: "server");
        Vm.Trace.Enabled = true;
        Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var first, Patience));
        Assert.True(first.IsNotify);
        var receiving = ReceiveOnThread(server, client.Endpoint, Patience);
        await AwaitState(server.Endpoint, $"RECEIVING from {client.Endpoint}");
        Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));
        Assert.True((await receiving.WaitAsync(Patience)).Message.IsNotify);

        Assert.Equal(
        [
            "call     c notify -> s, NOTIFY",
            "pending  c -> s: notify (not receiving; kept pending)",
            "call     s receive -> ANY",
            "deliver  c -> s: notify, NOTIFY",
            "call     s receive -> c",
            "block    s in receive from c",
            "call     c notify -> s, NOTIFY",
            "deliver  c -> s: notify, NOTIFY",
            "wake     s: Ok (0)",
        ], Lines(client, server));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_vcopy_records_its_call_and_the_bytes_copied()
    {
        using var client = Vm.Bind(owner: "client");
        using var server = Vm.Bind(owner: "server");
        var source = client.RegisterBuffer(new byte[100], BufferAccess.Read);
        var target = server.RegisterBuffer(new byte[100], BufferAccess.Write);
        var receiving = ReceiveOnThread(server, client.Endpoint, Patience);
        await AwaitState(server.Endpoint, $"RECEIVING from {client.Endpoint}");
        Vm.Trace.Enabled = true;
        Assert.Equal(IpcStatus.Ok, client.VCopy(Endpoint.Self, new(source), server.Endpoint, new(target), 100));
        Assert.Equal(IpcStatus.Ok, client.Send(server.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);

        Assert.Equal(
        [
            "call     c vcopy -> s, 100 B",
            "copy     c -> s: 100 B, asked by c",
            "call     c send -> s, type 1",
            "deliver  c -> s: send, type 1",
            "wake     s: Ok (0)",
        ], Lines(client, server));
    }

    [Fact(Timeout = 30_000)]
    public async Task Errors_are_recorded_with_their_status_whether_returned_at_once_or_on_wakeup()
    {
        using var client = Vm.Bind(owner: "client");
        var server = Vm.Bind(owner: "server");
        Vm.Trace.Enabled = true;
        var receiving = ReceiveOnThread(server, client.Endpoint, Patience);
        await AwaitState(server.Endpoint, $"RECEIVING from {client.Endpoint}");
        Assert.Equal(IpcStatus.Locked, client.Receive(server.Endpoint, out _, Patience));     // each waits for the other
        var sending = OnThread(() => client.Send(server.Endpoint, Msg(3), Patience));
        Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
        Assert.Equal(IpcStatus.NotReady, client.SendNb(server.Endpoint, Msg(4)));
        var dying = OnThread(() => client.Send(server.Endpoint, Msg(5), Patience));
        await AwaitState(client.Endpoint, $"SENDING to {server.Endpoint}");
        server.Dispose();
        Assert.Equal(IpcStatus.DstDied, await dying.WaitAsync(Patience));

        var lines = Lines(client, server);
        Assert.Equal(
        [
            "call     s receive -> c",
            "block    s in receive from c",
            "call     c receive -> s",
            "error    c receive -> s: Locked (-101)",
            "call     c send -> s, type 3",
            "deliver  c -> s: send, type 3",
            "wake     s: Ok (0)",
            "call     c sendnb -> s, type 4",
            "error    c sendnb -> s: NotReady (-106)",
            "call     c send -> s, type 5",
            "block    c in send to s",
            "unbind   s",
            "wake     c: DstDied (-109)",
        ], lines);
    }

    [Fact(Timeout = 30_000)]
    public Task A_full_ring_overwrites_the_oldest_events_and_counts_them_dropped()
    {
        var small = ExtraVm(2, new VmOptions { Id = 2, Name = "small", Trace = new TraceOptions { Enabled = true, Capacity = 8 } });
        using var client = small.Bind(owner: "client");
        using var server = small.Bind(owner: "server");
        for (var i = 0; i < 10; i++) Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));   // 2 events each

        var trace = small.Trace.Snapshot();
        Assert.Equal(22, trace.Recorded);                                                         // + 2 binds
        Assert.Equal(8, trace.Events.Count);
        Assert.Equal(14, trace.Dropped);
        Assert.Equal(Enumerable.Range(14, 8).Select(n => (long)n), trace.Events.Select(e => e.Sequence));
        Assert.Equal(TraceKind.NotifyPending, trace.Events[^1].Kind);
        Assert.StartsWith("# 8 events, 14 dropped of 22 recorded", trace.ToText());

        small.Trace.Clear();
        Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));
        trace = small.Trace.Snapshot();
        Assert.Equal((2, 0L), (trace.Events.Count, trace.Dropped));
        return Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public Task Names_of_ended_endpoints_the_ring_no_longer_mentions_are_forgotten()
    {
        var small = ExtraVm(2, new VmOptions { Id = 2, Name = "churn", Trace = new TraceOptions { Enabled = true, Capacity = 8 } });
        for (var i = 0; i < 1000; i++) small.Bind(owner: $"short-lived {i}").Dispose();
        using var last = small.Bind(owner: "last");

        Assert.InRange(small.Kernel.Trace.Names.Count, 1, 2 * 8 + 256 + 2);
        var trace = small.Trace.Snapshot();
        Assert.Equal($"last ({last.Endpoint})", trace.Label(last.Endpoint));
        Assert.All(trace.Events, e => Assert.True(trace.Names.ContainsKey(e.Endpoint), $"no name for {e.Endpoint}"));
        return Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public Task Switched_off_at_run_time_it_stops_recording_and_keeps_what_it_has()
    {
        using var client = Vm.Bind(owner: "client");
        using var server = Vm.Bind(owner: "server");
        Vm.Trace.Enabled = true;
        Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));
        Vm.Trace.Enabled = false;
        Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out _, Patience));

        Assert.Equal(["call     c notify -> s, NOTIFY", "pending  c -> s: notify (not receiving; kept pending)"],
            Lines(client, server));
        return Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public async Task Recording_a_call_allocates_nothing_with_the_trace_off_or_on()
    {
        using var client = Vm.Bind(owner: "client");
        using var server = Vm.Bind(owner: "server");
        Assert.Equal(0, await OnThread(() => AllocatedByNotifies(client, server.Endpoint)));
        Vm.Trace.Enabled = true;
        Assert.Equal(0, await OnThread(() => AllocatedByNotifies(client, server.Endpoint)));
        Assert.Equal(Vm.Trace.Capacity, Vm.Trace.Snapshot().Events.Count);
    }

    [Fact]
    public void An_event_is_an_unmanaged_value_of_48_bytes()
    {
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TraceEvent>());
        Assert.Equal(48, System.Runtime.CompilerServices.Unsafe.SizeOf<TraceEvent>());
    }

    // Bytes this thread allocated for 10 000 notifies (pending, coalesced), after as many to warm the code up.
    private static long AllocatedByNotifies(EndpointHandle client, Endpoint server)
    {
        for (var i = 0; i < 10_000; i++) client.Notify(server);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) client.Notify(server);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    // The trace's events without binds, one text line each, with the client as "c" and the server as "s".
    private List<string> Lines(EndpointHandle client, EndpointHandle server)
    {
        var (c, s) = (client.Endpoint, server.Endpoint);
        return Vm.Trace.Snapshot().Events
            .Where(e => e.Kind != TraceKind.Bind)
            .Select(e => TraceText.Line(e, ep => ep == c ? "c" : ep == s ? "s" : ep.ToString()))
            .ToList();
    }
}
