using Akka.Dispatch;
using M3Actors.Actors;
using Xunit;

namespace M3Actors.Tests.Core;

/// <summary>The standby threads a VM's executor uses while pool threads block.</summary>
public sealed class StandbyThreadsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private sealed class Run(Action body) : IRunnable
    {
        void IRunnable.Run() => body();

        void IThreadPoolWorkItem.Execute() => body();
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_queued_run_runs_once_on_a_standby_thread_even_while_the_threads_are_busy()
    {
        using var gate = new ManualResetEventSlim();
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        var names = new System.Collections.Concurrent.ConcurrentBag<string?>();
        const int runs = 100;
        for (var i = 0; i < runs; i++)
        {
            StandbyThreads.Shared.Execute(new Run(() =>
            {
                gate.Wait(Patience);        // every standby thread is busy while the rest are queued
                names.Add(Thread.CurrentThread.Name);
                if (Interlocked.Increment(ref count) == runs) done.SetResult(count);
            }));
        }
        gate.Set();
        Assert.Equal(runs, await done.Task.WaitAsync(Patience));
        Assert.Equal(runs, names.Count);
        Assert.All(names, n => Assert.StartsWith("m3actors-standby-", n));
    }
}
