using System.Diagnostics;
using System.Runtime.Versioning;
using Akka.Dispatch;
using M3Actors.Actors;
using M3Actors.Transport;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Processes;
using M3Actors.Transport.Sync;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The parts of the cross-process wake path: a waiter's spin history, the per-process wake summary, and the
/// wake thread's captured mailbox runs. (The path end to end is covered by the shared-VM call tests.)
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class WakePathTests : IDisposable
{
    private readonly ArenaDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 10_000)]
    public async Task A_waiter_whose_waits_are_long_stops_spinning_and_short_waits_restore_the_full_spin()
    {
        await Task.Yield();
        var history = new SpinHistory();
        Assert.Equal(SpinGate.MaxSpinTicks, history.CapTicks);
        // A second is far beyond any spin budget: every such wait halves the cap, down to no spin at all.
        var longAgo = Stopwatch.GetTimestamp() - Stopwatch.Frequency;
        var caps = new List<long>();
        for (var i = 0; i < 64 && history.CapTicks > 0; i++)
        {
            history.Ended(longAgo, caughtSpinning: false);
            caps.Add(history.CapTicks);
        }
        Assert.Equal(0, history.CapTicks);
        Assert.True(caps.Zip(caps.Skip(1)).All(pair => pair.Second < pair.First), string.Join(", ", caps));

        // Waits caught while spinning grow the cap again, up to the full budget and no further.
        for (var i = 0; i < 64 && history.CapTicks < SpinGate.MaxSpinTicks; i++)
        {
            var before = history.CapTicks;
            history.Ended(Stopwatch.GetTimestamp(), caughtSpinning: true);
            Assert.True(history.CapTicks > before);
        }
        Assert.Equal(SpinGate.MaxSpinTicks, history.CapTicks);
        history.Ended(Stopwatch.GetTimestamp(), caughtSpinning: true);
        Assert.Equal(SpinGate.MaxSpinTicks, history.CapTicks);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_marked_slot_sets_its_group_bit_which_taking_clears_and_leaving_forgets()
    {
        await Task.Yield();
        var arena = Arena.Attach(_dir.Options());
        var index = arena.ProcessIndex;
        var processes = arena.Processes;
        try
        {
            var summary = new WakeSummary(processes, slots: 256);
            Assert.Equal(2, summary.GroupSize);
            Assert.Equal(1, new WakeSummary(processes, slots: 192).GroupSize);
            Assert.Equal(22, new WakeSummary(processes, slots: 4096).GroupSize);

            summary.Mark(index, 5);      // group 2
            summary.Mark(index, 4);      // the same group: no second bit
            summary.Mark(index, 201);    // group 100: word 1, bit 36
            var first = summary.Take(index, 0);
            Assert.Equal(1L << 2, first);
            Assert.Equal(4, summary.FirstSlotOf(0, first));
            var second = summary.Take(index, 1);
            Assert.Equal(1L << 36, second);
            Assert.Equal(200, summary.FirstSlotOf(1, second));
            Assert.Equal(0, summary.Take(index, 0));
            Assert.Equal(0, summary.Take(index, 2));

            summary.Mark(index, 255);    // group 127: word 1, bit 63
        }
        finally
        {
            arena.Dispose();
        }
        // A leaving process's stale marks would only send its successor's wake thread looking: they are cleared.
        using var again = Arena.Attach(_dir.Options());
        Assert.Equal(index, again.ProcessIndex);
        for (var word = 0; word < ProcessTable.WakeSummaryWords; word++)
        {
            Assert.Equal(0, Volatile.Read(ref again.Processes.WakeSummaryOf(index, word)));
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task Runs_scheduled_while_capturing_run_later_on_the_capturing_thread_and_what_they_schedule_does_not()
    {
        await Task.Yield();
        var thread = Environment.CurrentManagedThreadId;
        var log = new List<string>();
        var nested = new ActionRunnable(() => log.Add("nested"));
        var first = new ActionRunnable(() =>
        {
            log.Add($"first on {(Environment.CurrentManagedThreadId == thread ? "this thread" : "another")}");
            log.Add($"nested captured: {CapturedRuns.TryCapture(nested, out _)}");
        });
        var second = new ActionRunnable(() => log.Add("second"));

        Assert.False(CapturedRuns.TryCapture(first, out _));
        CapturedRuns.Begin();
        bool capturedFirst, capturedSecond;
        try
        {
            capturedFirst = CapturedRuns.TryCapture(first, out _);
            capturedSecond = CapturedRuns.TryCapture(second, out _);
            Assert.Empty(log);
        }
        finally
        {
            // Even after a failed assertion: a pool thread left capturing would keep other tests' mailbox runs.
            CapturedRuns.RunCaptured();
        }

        Assert.True(capturedFirst && capturedSecond);

        Assert.Equal(["first on this thread", "nested captured: False", "second"], log);
        Assert.False(CapturedRuns.TryCapture(second, out _));
        CapturedRuns.RunCaptured();      // nothing left to run
        Assert.Equal(3, log.Count);
    }

    [Fact]
    public async Task A_wake_for_a_caller_that_is_no_handler_asks_for_the_waking_threads_own_pool_queue()
    {
        await Task.Yield();
        var run = new ActionRunnable(() => { });

        Assert.False(CapturedRuns.TryCapture(run, out var outside));
        bool inside;
        using (CapturedRuns.ForCaller())
        {
            Assert.False(CapturedRuns.TryCapture(run, out inside));
        }
        Assert.False(CapturedRuns.TryCapture(run, out var after));

        // Only inside the scope: an actor's run queued anywhere else goes to the global queue, as Akka's executor does.
        Assert.Equal((false, true, false), (outside, inside, after));
    }
}
