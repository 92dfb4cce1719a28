namespace M3Actors.Perf.Latency;

/// <summary>
/// Background work of a latency series, run on its own threads pinned to the background CPU between
/// <see cref="Start"/> (which returns once the work is under way) and <see cref="Stop"/> (which joins the threads and
/// rethrows the first failure). Endpoints are bound when the churn starts and unbound when it stops, both outside the
/// recorded segment, so the only kernel traffic a segment sees is the churn's own.
/// </summary>
internal abstract class Churn(Vm vm, CpuPlan cpus)
{
    /// <summary>How long starting a churn (or the pair) may take before the run fails.</summary>
    internal static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The bound on every blocking IPC call of the benchmark: a lost wake-up fails the run, not hangs it.</summary>
    internal static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Message type of ordinary requests.</summary>
    internal const int RequestType = 1;

    /// <summary>Message type that tells a server thread to reply once more and end.</summary>
    internal const int StopType = 2;

    private readonly List<Task> _threads = [];
    private TaskCompletionSource _started = new();
    private volatile bool _stopping;

    /// <summary>The VM the churn runs in.</summary>
    protected Vm Vm => vm;

    /// <summary>True once <see cref="Stop"/> has been asked: loops finish their current operation and end.</summary>
    protected bool Stopping => _stopping;

    /// <summary>Starts the churn; returns once its first operation completed, so recording starts under load.</summary>
    internal void Start()
    {
        _stopping = false;
        _threads.Clear();
        _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StartThreads();
        WaitStarted(_started.Task, _threads, GetType().Name);
    }

    /// <summary>Ends the churn's loops, joins its threads and rethrows the first failure.</summary>
    internal void Stop()
    {
        _stopping = true;
        StopThreads();
        Join(_threads, GetType().Name);
    }

    /// <summary>Starts the churn's threads with <see cref="Run"/>.</summary>
    protected abstract void StartThreads();

    /// <summary>Asks threads blocked in a receive to end (by a stop message); loops that poll
    /// <see cref="Stopping"/> need nothing more.</summary>
    protected virtual void StopThreads()
    {
    }

    /// <summary>Runs <paramref name="body"/> on a new dedicated thread pinned to the background CPU; the task ends
    /// with the thread and carries its exception.</summary>
    protected Task Run(string name, Action body)
    {
        var thread = Task.Factory.StartNew(() =>
        {
            Thread.CurrentThread.Name = name;
            cpus.PinBackground();
            body();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _threads.Add(thread);
        return thread;
    }

    /// <summary>Called by a loop after its first completed operation.</summary>
    protected void Started() => _started.TrySetResult();

    /// <summary>Throws when an IPC call did not return Ok, naming the call and the kernel's reason.</summary>
    internal static void Check(IpcStatus status, EndpointHandle handle, string call)
    {
        if (status != IpcStatus.Ok)
        {
            throw new IpcException(status, $"{call} returned {status}: {handle.LastError ?? status.Describe()}");
        }
    }

    /// <summary>Waits for <paramref name="started"/>; a thread that failed first, or a timeout, fails the run.</summary>
    internal static void WaitStarted(Task started, IReadOnlyCollection<Task> threads, string what)
    {
        var first = Task.WhenAny([started, .. threads]).WaitAsync(StartTimeout);
        try
        {
            first.GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not start within {StartTimeout}.");
        }
        if (!started.IsCompleted)
        {
            // A thread ended first: its exception is the reason (the others may be blocked, waiting for it).
            threads.FirstOrDefault(thread => thread.IsFaulted)?.GetAwaiter().GetResult();
            throw new InvalidOperationException($"{what} ended before its first operation.");
        }
    }

    /// <summary>Joins <paramref name="threads"/> and rethrows the first failure; a thread still running after
    /// <see cref="CallTimeout"/> plus a margin fails the run.</summary>
    internal static void Join(IReadOnlyCollection<Task> threads, string what)
    {
        if (!Task.WaitAll([.. threads], CallTimeout + StartTimeout))
        {
            throw new TimeoutException($"{what}: a thread did not end within {CallTimeout + StartTimeout}.");
        }
    }
}
