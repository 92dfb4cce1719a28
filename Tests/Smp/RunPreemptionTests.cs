using System.Diagnostics;
using Akka.Actor;
using Xunit;

namespace M3Actors.Tests.Smp;

/// <summary>
/// A mailbox run that holds a vCPU others wait for ends at the next tick even when <c>throughput</c> would let it go on,
/// so an actor queued behind it runs next; a run nobody waits for is left alone (docs/smp.md, "Fairness").
/// </summary>
public sealed class RunPreemptionTests() : SmpTestKit($$"""
    explicit-deadline {
      type = {{Type}}, vcpus = 1, policy = affinity-static, throughput = 1000, throughput-deadline-time = 5ms
    }
    default-deadline { type = {{Type}}, vcpus = 1, policy = affinity-static, throughput = 1000 }
    """)
{
    private const int Backlog = 20;

    [Theory(Timeout = 60_000)]
    [InlineData("explicit-deadline", 5)]
    [InlineData("default-deadline", 1)]
    public async Task A_run_that_others_wait_for_ends_at_the_next_tick_and_the_next_actor_runs(string id, int deadlineMs)
    {
        var handled = new Handled();
        var hog = Sys.ActorOf(Props.Create(() => new Hog(handled)).WithDispatcher(id), "hog");
        var sibling = Sys.ActorOf(Props.Create(() => new CountReporter(handled)).WithDispatcher(id), "sibling");
        sibling.Tell("count", TestActor);
        Assert.Equal(0, await ExpectMsgAsync<int>(Patience));

        // Each message lasts many ticks; the first one queues the sibling behind the hog's run on the only vCPU.
        var work = TimeSpan.FromMilliseconds(10 * deadlineMs + 10);
        hog.Tell(new Spin(work, sibling, TestActor), ActorRefs.NoSender);
        for (var i = 1; i < Backlog; i++) hog.Tell(new Spin(work, null, null), ActorRefs.NoSender);

        // Without preemption the run would take the whole backlog (throughput 1000) before the sibling.
        Assert.InRange(await ExpectMsgAsync<int>(Patience), 1, Backlog - 1);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_run_nobody_waits_for_is_not_cut()
    {
        const int messages = 5;
        var dispatcher = Dispatcher("explicit-deadline");
        var handled = new Handled();
        var hog = Sys.ActorOf(Props.Create(() => new Hog(handled)).WithDispatcher("explicit-deadline"), "lone-hog");
        hog.Tell(new Spin(TimeSpan.Zero, null, null), ActorRefs.NoSender);
        AwaitIdle(dispatcher);
        AwaitCondition(() => dispatcher.ThroughputDeadlineTime is null, Patience);
        var before = dispatcher.Snapshot()[0];

        // Each message outlasts several ticks, but nothing waits for the vCPU: one run takes them all.
        for (var i = 0; i < messages; i++) hog.Tell(new Spin(TimeSpan.FromMilliseconds(20), null, null), ActorRefs.NoSender);
        await AwaitConditionAsync(() => Task.FromResult(handled.Count == messages + 1), Patience);

        Assert.Equal(1L, dispatcher.Snapshot()[0].Since(before).MailboxRuns);
    }

    [Fact(Timeout = 30_000)]
    public async Task Each_vcpu_thread_reads_the_hosts_cpu_wait_of_its_own_thread_on_linux()
    {
        var dispatcher = Dispatcher("default-deadline");
        var probe = Sys.ActorOf(Props.Create(() => new CountReporter(new Handled())).WithDispatcher("default-deadline"));
        probe.Tell("start", TestActor);
        await ExpectMsgAsync<int>(Patience);

        foreach (var vcpu in dispatcher.Vcpus)
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/thread-self/schedstat"))
            {
                Assert.Null(vcpu.HostWait);
                continue;
            }
            // The tick reads it from its own thread: the clock opened on the vCPU thread must be readable from here.
            var first = vcpu.HostWait!.WaitedNanoseconds();
            Assert.NotNull(first);
            Assert.True(vcpu.HostWait.WaitedNanoseconds() >= first, "the host's wait never goes back");
        }
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
