using System.Diagnostics.Metrics;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// The VM kernel counters on the <c>M3Actors</c> meter: exact values for this test's VM, picked out by its id and a
/// name no other test uses (tests run in parallel, each with its own VMs on the one process-wide meter).
/// </summary>
public sealed class MetricsTests(ITestOutputHelper output)
    : VmTestKit(new VmOptions { Id = 9, Name = UniqueName() }, output)
{
    [Fact(Timeout = 30_000)]
    public async Task Counters_count_messages_notifications_copies_refusals_timeouts_and_deaths_of_their_VM()
    {
        const int roundTrips = 5, notifications = 3, copied = 100;
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        var serving = OnThread(() =>
        {
            for (var i = 0; i < roundTrips; i++)
            {
                if (server.Receive(client.Endpoint, out var request, Patience) != IpcStatus.Ok) return i;
                if (server.Reply(client.Endpoint, request) != IpcStatus.Ok) return i;
            }
            return roundTrips;
        });
        for (var i = 0; i < roundTrips; i++)                                          // a request and a reply each
        {
            var request = Msg(1);
            Assert.Equal(IpcStatus.Ok, client.SendRec(server.Endpoint, ref request, Patience));
        }
        Assert.Equal(roundTrips, await serving.WaitAsync(Patience));
        for (var i = 0; i < notifications; i++) Assert.Equal(IpcStatus.Ok, client.Notify(server.Endpoint));

        var target = new byte[copied];
        var buffer = server.RegisterBuffer(target, BufferAccess.Write);
        var source = client.RegisterBuffer(new byte[copied], BufferAccess.Read);
        var receiving = ReceiveOnThread(server, client.Endpoint, Patience);   // takes a pending notification first
        Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);
        receiving = ReceiveOnThread(server, client.Endpoint, Patience);
        await AwaitState(server.Endpoint, $"RECEIVING from {client.Endpoint}");
        Assert.Equal(IpcStatus.Ok, client.VCopy(Endpoint.Self, new(source), server.Endpoint, new(buffer), copied));
        Assert.Equal(IpcStatus.Ok, client.Send(server.Endpoint, Msg(2), Patience));                   // 1 message
        Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);

        var calling = SendRecOnThread(server, client.Endpoint, Msg(3), Patience);
        await AwaitState(server.Endpoint, $"SENDREC sending to {client.Endpoint}");
        var m = Msg(4);
        Assert.Equal(IpcStatus.Locked, client.SendRec(server.Endpoint, ref m, Patience));
        Assert.Equal(IpcStatus.Ok, client.Receive(server.Endpoint, out _, Patience));               // 1 message
        Assert.Equal(IpcStatus.Ok, client.Reply(server.Endpoint, Msg(5)));                          // 1 message
        Assert.Equal(IpcStatus.Ok, (await calling.WaitAsync(Patience)).Status);

        Assert.Equal(IpcStatus.TimedOut, client.Receive(server.Endpoint, out _, TimeSpan.FromMilliseconds(20)));

        var dying = Vm.Bind();
        receiving = ReceiveOnThread(client, dying.Endpoint, Patience);
        await AwaitState(client.Endpoint, $"RECEIVING from {dying.Endpoint}");
        dying.Dispose();
        Assert.Equal(IpcStatus.SrcDied, (await receiving.WaitAsync(Patience)).Status);

        var seen = Collect(Vm);
        Assert.Equal(2 * roundTrips + 3, seen[("m3actors.vm.messages", null)]);
        Assert.Equal(notifications, seen[("m3actors.vm.notifications", null)]);
        Assert.Equal(1, seen[("m3actors.vm.copies", null)]);
        Assert.Equal(copied, seen[("m3actors.vm.bytes_copied", null)]);
        Assert.Equal(1, seen[("m3actors.vm.locked", null)]);
        Assert.Equal(1, seen[("m3actors.vm.timeouts", null)]);
        Assert.Equal(1, seen[("m3actors.vm.deaths", null)]);
        var snapshot = Vm.Snapshot();
        Assert.Equal((snapshot.Messages, snapshot.Notifications, snapshot.Copies, snapshot.BytesCopied),
            (seen[("m3actors.vm.messages", null)], seen[("m3actors.vm.notifications", null)],
                seen[("m3actors.vm.copies", null)], seen[("m3actors.vm.bytes_copied", null)]));
    }

    [Fact(Timeout = 30_000)]
    public async Task Blocked_endpoints_gauge_counts_each_state()
    {
        using var server = Vm.Bind();
        using var sender = Vm.Bind();
        using var caller = Vm.Bind();
        using var receiver = Vm.Bind();
        var sending = OnThread(() => sender.Send(server.Endpoint, Msg(1), Patience));
        await AwaitQueue(server.Endpoint, sender.Endpoint);     // one at a time: the queue's order is then known
        var calling = SendRecOnThread(caller, server.Endpoint, Msg(2), Patience);
        var receiving = ReceiveOnThread(receiver, server.Endpoint, Patience);
        await AwaitQueue(server.Endpoint, sender.Endpoint, caller.Endpoint);
        await AwaitState(receiver.Endpoint, $"RECEIVING from {server.Endpoint}");

        var seen = Collect(Vm);
        Assert.Equal((1, 1, 1), (seen[(Blocked, "sending")], seen[(Blocked, "receiving")], seen[(Blocked, "sendrec")]));

        Assert.Equal(IpcStatus.Ok, server.Receive(sender.Endpoint, out _, Patience));
        Assert.Equal(IpcStatus.Ok, server.Receive(caller.Endpoint, out _, Patience));
        seen = Collect(Vm);          // the caller now waits for its reply: still a sendrec
        Assert.Equal((0, 1, 1), (seen[(Blocked, "sending")], seen[(Blocked, "receiving")], seen[(Blocked, "sendrec")]));

        Assert.Equal(IpcStatus.Ok, server.Reply(caller.Endpoint, Msg(3)));
        Assert.Equal(IpcStatus.Ok, server.Send(receiver.Endpoint, Msg(4), Patience));
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));
        Assert.Equal(IpcStatus.Ok, (await calling.WaitAsync(Patience)).Status);
        Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);
        seen = Collect(Vm);
        Assert.Equal((0, 0, 0), (seen[(Blocked, "sending")], seen[(Blocked, "receiving")], seen[(Blocked, "sendrec")]));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_VM_is_measured_from_its_start_to_its_end()
    {
        var extra = ExtraVm(10, new VmOptions { Id = 10, Name = UniqueName() });
        using (var a = extra.Bind())
        using (var b = extra.Bind())
            Assert.Equal(IpcStatus.Ok, a.Notify(b.Endpoint));
        Assert.Equal(1, Collect(extra)[("m3actors.vm.notifications", null)]);
        Assert.Equal(0, Collect(Vm)[("m3actors.vm.notifications", null)]);

        await extra.EndAsync().WaitAsync(Patience);
        Assert.Empty(Collect(extra));
        Assert.NotEmpty(Collect(Vm));
    }

    private static Message Msg(int type) => new(type);

    private const string Blocked = "m3actors.vm.blocked_endpoints";

    private static string UniqueName() => $"met-{Guid.NewGuid():N}"[..15];

    // Every m3actors.vm.* measurement of one collection for vm's tags, keyed by instrument and state tag.
    private static Dictionary<(string Instrument, string? State), long> Collect(Vm vm)
    {
        var seen = new Dictionary<(string, string?), long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == M3Actors.Smp.VcpuDispatcher.MeterName
                && instrument.Name.StartsWith("m3actors.vm.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var tagged = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            if (Equals(tagged["m3actors.vm.id"], vm.Id) && Equals(tagged["m3actors.vm.name"], vm.Name))
                Assert.True(seen.TryAdd((instrument.Name, (string?)tagged.GetValueOrDefault("state")), value));
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
