using Akka.Configuration;
using Akka.Dispatch;

namespace M3Actors.Actors;

/// <summary>
/// The executor of a VM's dispatchers: mailbox runs go to the .NET thread pool, as with Akka's default executor, so
/// actors and task clients share pool workers and hand off cheaply. While a thread-pool thread is inside a blocking
/// thread-endpoint call (<see cref="Threads.ThreadPort.PoolThreadsInCalls"/>), new runs go to the process's standby
/// threads instead (<see cref="StandbyThreads"/>): such callers may hold every pool thread (ASP.NET handlers,
/// <c>Task.Run</c>), and the pool replaces blocked threads slowly, or not at all while other code blocks its threads
/// too (34 blocked callers kept a queued run waiting 30 s under the test host), so an actor they wait for must not
/// need a pool thread to answer. A thread that captures the runs it schedules (<see cref="CapturedRuns"/>: the
/// transport's wake thread) keeps them and runs them itself.
/// </summary>
internal sealed class VmExecutor(string id) : ExecutorService(id)
{
    /// <inheritdoc />
    public override void Execute(IRunnable run)
    {
        if (CapturedRuns.TryCapture(run, out var preferLocal)) return;
        if (Threads.ThreadPort.PoolThreadsInCalls == 0) ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal);
        else StandbyThreads.Shared.Execute(run);
    }

    /// <inheritdoc />
    public override void Shutdown()
    {
        // Nothing of its own to stop: the pool and the standby threads are the process's, not the dispatcher's.
    }
}

/// <summary>
/// Creates a <see cref="VmExecutor"/> per dispatcher (HOCON <c>executor = "…VmExecutorConfigurator, …"</c>).
/// </summary>
internal sealed class VmExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    /// <inheritdoc />
    public override ExecutorService Produce(string id) => new VmExecutor(id);
}
