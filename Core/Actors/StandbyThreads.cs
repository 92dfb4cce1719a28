using System.Collections.Concurrent;
using Akka.Dispatch;

namespace M3Actors.Actors;

/// <summary>
/// A few dedicated threads that run mailbox runs while the thread pool may be starved (see <see cref="VmExecutor"/>).
/// Started on first use; idle threads wait on a semaphore, so they cost no CPU. Ending them lets every queued run
/// finish first: a worker leaves only on a wakeup that finds the queue empty after <see cref="End"/>.
/// </summary>
internal sealed class StandbyThreads
{
    private readonly ConcurrentQueue<IRunnable> _runs = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly int _count;
    private volatile bool _ended;

    internal StandbyThreads(string name, int count)
    {
        _count = count;
        for (var i = 0; i < count; i++)
            new Thread(Work) { IsBackground = true, Name = $"{name}-standby-{i}" }.Start();
    }

    /// <summary>Queues <paramref name="run"/>; false once the threads end (the caller runs it elsewhere).</summary>
    internal bool TryExecute(IRunnable run)
    {
        if (_ended) return false;
        _runs.Enqueue(run);
        _queued.Release();
        return true;
    }

    /// <summary>Lets the threads finish what is queued and exit.</summary>
    internal void End()
    {
        _ended = true;
        _queued.Release(_count);
    }

    // Every run is queued before its permit is released, so a permit finds a run unless End added it: only End's
    // permits come up empty, one per thread, and a run queued in a race with End is still taken by a thread first.
    private void Work()
    {
        while (true)
        {
            _queued.Wait();
            if (_runs.TryDequeue(out var run)) run.Run();
            else if (_ended) return;
        }
    }
}
