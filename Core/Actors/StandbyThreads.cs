using System.Collections.Concurrent;
using Akka.Dispatch;

namespace M3Actors.Actors;

/// <summary>
/// A few dedicated threads that run mailbox runs while the thread pool may be starved (see <see cref="VmExecutor"/>).
/// One set per process, as the pool is the process's: max(2, CPUs) threads, started the first time any VM needs
/// them, whatever the number of VMs, and parked on a semaphore when idle (no CPU, only their stacks). Like the pool's
/// workers they live as long as the process (background threads).
/// </summary>
internal sealed class StandbyThreads
{
    private static readonly Lazy<StandbyThreads> Instance =
        new(() => new StandbyThreads("m3actors", Math.Max(2, Environment.ProcessorCount)));

    private readonly ConcurrentQueue<IRunnable> _runs = new();
    private readonly SemaphoreSlim _queued = new(0);

    private StandbyThreads(string name, int count)
    {
        for (var i = 0; i < count; i++)
            new Thread(Work) { IsBackground = true, Name = $"{name}-standby-{i}" }.Start();
    }

    /// <summary>The process's standby threads, started on first use.</summary>
    internal static StandbyThreads Shared => Instance.Value;

    /// <summary>Queues <paramref name="run"/> for the next free standby thread.</summary>
    internal void Execute(IRunnable run)
    {
        _runs.Enqueue(run);
        _queued.Release();
    }

    // Every run is queued before its permit is released, so each permit finds a run.
    private void Work()
    {
        while (true)
        {
            _queued.Wait();
            if (_runs.TryDequeue(out var run)) run.Run();
        }
    }
}
