using System.Diagnostics.Metrics;
using Akka.Actor;
using M3Actors.Smp;
using Xunit;

namespace M3Actors.Tests.Smp;

public sealed class CounterTests() : SmpTestKit($$"""
    counted {
      type = {{Type}}
      vcpus = 2
      policy = affinity-static
      placement {
        "/user/pinger" { vcpu = 1 }
        "/user/ponger" { vcpu = 1 }
        "/user/kernel" { vcpu = 0 }
      }
    }
    shared {
      type = {{Type}}
      vcpus = 2
      policy = symmetric
    }
    """)
{
    [Fact]
    public void Ping_pong_on_one_vcpu_gives_exactly_the_documented_counts()
    {
        const int roundTrips = 500;
        var dispatcher = Dispatcher("counted");
        var pinger = Sys.ActorOf(Props.Create<Pinger>().WithDispatcher("counted"), "pinger");
        var ponger = Sys.ActorOf(Props.Create<Ponger>().WithDispatcher("counted"), "ponger");
        // Warm-up: both actors started and idle, so every message of the workload reaches an idle mailbox.
        pinger.Tell(new StartPingPong(ponger, 1), TestActor);
        ExpectMsg<PingPongDone>(Patience);
        AwaitIdle(dispatcher);
        var before = dispatcher.Snapshot();

        pinger.Tell(new StartPingPong(ponger, roundTrips), TestActor);
        ExpectMsg<PingPongDone>(Patience);

        var after = dispatcher.Snapshot();
        var onOne = after[1].Since(before[1]);
        var onZero = after[0].Since(before[0]);
        // The start message plus a ping and a pong per round trip; each reaches an idle mailbox, so one run each.
        Assert.Equal(2 * roundTrips + 1, onOne.Messages);
        Assert.Equal(2 * roundTrips + 1, onOne.MailboxRuns);
        Assert.Equal((0L, 0L), (onOne.Steals, onOne.Migrations));
        Assert.Equal((0L, 0L, 0L, 0L), (onZero.Messages, onZero.MailboxRuns, onZero.Steals, onZero.Migrations));
    }

    [Fact]
    public void Kernel_hooks_count_exactly_on_the_calling_vcpu_and_refuse_foreign_threads()
    {
        var dispatcher = Dispatcher("counted");
        var actor = Sys.ActorOf(Props.Create<WhereActor>().WithDispatcher("counted"), "kernel");
        Where(actor);
        var before = dispatcher.Snapshot();

        actor.Tell(new KernelWork(Entries: 7, Deliveries: 3), TestActor);
        ExpectMsg<KernelWork>(Patience);

        var after = dispatcher.Snapshot();
        Assert.Equal((7L, 3L), (after[0].Since(before[0]).KernelEntries, after[0].Since(before[0]).IpcDeliveries));
        Assert.Equal((0L, 0L), (after[1].Since(before[1]).KernelEntries, after[1].Since(before[1]).IpcDeliveries));
        Assert.Throws<InvalidOperationException>(() => dispatcher.Vcpus[0].OnKernelEntry());
        Assert.Throws<InvalidOperationException>(() => dispatcher.Vcpus[0].OnMessageDelivered());
    }

    [Fact]
    public void Symmetric_counts_every_message_once_across_the_vcpus()
    {
        const int roundTrips = 200;
        var dispatcher = Dispatcher("shared");
        var pinger = Sys.ActorOf(Props.Create<Pinger>().WithDispatcher("shared"), "sym-pinger");
        var ponger = Sys.ActorOf(Props.Create<Ponger>().WithDispatcher("shared"), "sym-ponger");
        pinger.Tell(new StartPingPong(ponger, 1), TestActor);
        ExpectMsg<PingPongDone>(Patience);
        var before = dispatcher.Snapshot();

        pinger.Tell(new StartPingPong(ponger, roundTrips), TestActor);
        ExpectMsg<PingPongDone>(Patience);

        var after = dispatcher.Snapshot();
        Assert.Equal(2 * roundTrips + 1, after.Zip(before).Sum(p => p.First.Since(p.Second).Messages));
        Assert.All(after, s => Assert.Equal(0, s.Steals));
    }

    [Fact]
    public void Meter_publishes_the_snapshot_values_tagged_by_vcpu()
    {
        var dispatcher = Dispatcher("counted");
        var pinger = Sys.ActorOf(Props.Create<Pinger>().WithDispatcher("counted"), "pinger");
        var ponger = Sys.ActorOf(Props.Create<Ponger>().WithDispatcher("counted"), "ponger");
        pinger.Tell(new StartPingPong(ponger, 10), TestActor);
        ExpectMsg<PingPongDone>(Patience);
        AwaitIdle(dispatcher);

        var seen = new Dictionary<(string, int), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == VcpuDispatcher.MeterName) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var tagged = tags.ToArray();
            if (tagged.Any(t => t.Key == "system" && (string?)t.Value == Sys.Name)
                && tagged.Any(t => t.Key == "dispatcher" && (string?)t.Value == "counted"))
                seen[(instrument.Name, (int)tagged.Single(t => t.Key == "vcpu").Value!)] = value;
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        var snapshot = dispatcher.Snapshot();
        listener.RecordObservableInstruments();

        Assert.Equal(snapshot[1].Messages, seen[("m3actors.vcpu.messages", 1)]);
        Assert.Equal(snapshot[1].MailboxRuns, seen[("m3actors.vcpu.mailbox_runs", 1)]);
        Assert.Equal(snapshot[0].KernelEntries, seen[("m3actors.vcpu.kernel_entries", 0)]);
        Assert.InRange(seen[("m3actors.vcpu.load", 1)], 0, 100);
        Assert.True(seen.ContainsKey(("m3actors.vcpu.busy_time", 1)));
    }
}
