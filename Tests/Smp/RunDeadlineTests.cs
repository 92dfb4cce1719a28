using System.Diagnostics;
using Akka.Actor;
using Xunit;

namespace M3Actors.Tests.Smp;

/// <summary>
/// One actor's mailbox run ends at the run deadline even when <c>throughput</c> would let it go on, so an actor
/// queued behind it on the same vCPU runs next (docs/smp.md, "Fairness").
/// </summary>
public sealed class RunDeadlineTests() : SmpTestKit($$"""
    explicit-deadline {
      type = {{Type}}, vcpus = 1, policy = affinity-static, throughput = 1000, throughput-deadline-time = 5ms
    }
    default-deadline { type = {{Type}}, vcpus = 1, policy = affinity-static, throughput = 1000 }
    """)
{
    private const int Backlog = 50;

    [Theory(Timeout = 60_000)]
    [InlineData("explicit-deadline", 5)]
    [InlineData("default-deadline", 1)]
    public async Task A_run_ends_at_the_deadline_and_the_next_actor_on_the_vcpu_runs(string id, int deadlineMs)
    {
        var handled = new Handled();
        var hog = Sys.ActorOf(Props.Create(() => new Hog(handled)).WithDispatcher(id), "hog");
        var sibling = Sys.ActorOf(Props.Create(() => new CountReporter(handled)).WithDispatcher(id), "sibling");
        sibling.Tell("count", TestActor);
        Assert.Equal(0, await ExpectMsgAsync<int>(Patience));

        // Each message outlasts the deadline (plus the millisecond Akka's clock rounds to); the first one queues
        // the sibling behind the hog's run on the only vCPU.
        var work = TimeSpan.FromMilliseconds(deadlineMs + 2);
        hog.Tell(new Spin(work, sibling, TestActor), ActorRefs.NoSender);
        for (var i = 1; i < Backlog; i++) hog.Tell(new Spin(work, null, null), ActorRefs.NoSender);

        // Without the deadline the run would take the whole backlog (throughput 1000) before the sibling.
        Assert.Equal(1, await ExpectMsgAsync<int>(Patience));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_deadline_akka_reads_is_an_absolute_time_on_its_clock_not_a_duration()
    {
        var dispatcher = Dispatcher("explicit-deadline");
        var sibling = Sys.ActorOf(Props.Create(() => new CountReporter(new Handled())).WithDispatcher("explicit-deadline"));
        var before = Sys.Scheduler.HighResMonotonicClock;

        sibling.Tell("count", TestActor);
        await ExpectMsgAsync<int>(Patience);

        // Akka's mailbox compares its clock with this value: a bare duration (5 ms) would end every run after one message.
        var latest = Sys.Scheduler.HighResMonotonicClock + TimeSpan.FromMilliseconds(5);
        Assert.InRange(dispatcher.ThroughputDeadlineTime!.Value, before.Ticks, latest.Ticks);
    }

    private sealed class Handled
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    private sealed record Spin(TimeSpan Work, IActorRef? Sibling, IActorRef? ReplyTo);

    /// <summary>Keeps its vCPU busy for each message's <see cref="Spin.Work"/> (CPU-bound work, not a wait).</summary>
    private sealed class Hog : ReceiveActor
    {
        public Hog(Handled handled)
        {
            Receive<Spin>(spin =>
            {
                spin.Sibling?.Tell("count", spin.ReplyTo);
                var started = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(started) < spin.Work) Thread.SpinWait(20);
                handled.Add();
            });
        }
    }

    /// <summary>Answers any message with how many spins the hog had finished.</summary>
    private sealed class CountReporter : ReceiveActor
    {
        public CountReporter(Handled handled) => ReceiveAny(_ => Sender.Tell(handled.Count));
    }
}
