using Akka.Dispatch;
using M3Actors.Actors;
using Xunit;

namespace M3Actors.Tests.Core;

/// <summary>
/// The standby threads a VM's executor uses while pool threads block: every run queued before the end runs.
/// </summary>
public sealed class StandbyThreadsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private sealed class Run(Action body) : IRunnable
    {
        void IRunnable.Run() => body();

        void IThreadPoolWorkItem.Execute() => body();
    }

    [Fact(Timeout = 30_000)]
    public async Task Runs_queued_before_the_end_all_run_on_standby_threads_and_later_ones_are_refused()
    {
        var standby = new StandbyThreads("standby-test", 2);
        using var gate = new ManualResetEventSlim();
        var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        var names = new System.Collections.Concurrent.ConcurrentBag<string?>();
        const int runs = 100;
        for (var i = 0; i < runs; i++)
        {
            Assert.True(standby.TryExecute(new Run(() =>
            {
                gate.Wait(Patience);        // the threads are busy while End is called
                names.Add(Thread.CurrentThread.Name);
                if (Interlocked.Increment(ref count) == runs) ran.SetResult(count);
            })));
        }
        standby.End();
        Assert.False(standby.TryExecute(new Run(() => Interlocked.Increment(ref count))));
        gate.Set();
        Assert.Equal(runs, await ran.Task.WaitAsync(Patience));
        Assert.All(names, n => Assert.StartsWith("standby-test-standby-", n));
        Assert.Equal(runs, Volatile.Read(ref count));
    }
}
