using System.Diagnostics;
using M3Actors.Kernel;

namespace M3Actors.Threads;

/// <summary>
/// How the kernel wakes a thread or task owner. An endpoint has at most one call under way, so one reusable waiter
/// per endpoint serves every call: a ManualResetEventSlim for blocking calls, and a pooled value-task source
/// (<see cref="AsyncCall"/>) for async ones, so neither path allocates per call. Only a blocking call on a
/// thread-pool thread (discouraged, and warned about once per VM) allocates: a task to park on, see Park.
/// </summary>
internal sealed class ThreadPort : IEndpointPort
{
    private static readonly long TicksPerMillisecond = Stopwatch.Frequency / 1000;
    private static int _poolThreadsInCalls;

    // A reply from an actor on the other core takes a microsecond or two, while waking a parked thread costs ~25 µs
    // on this kind of VM: spin (yielding, so a loaded box is not starved) for as long as the event allows first.
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 2047);
    private AsyncCall _async;
    private AsyncCall? _current;    // the async call under way; null while a blocking call is
    private TaskCompletionSource? _parked;  // set while a thread-pool thread parks in a blocking call (Park)
    private int _inCall;            // 1 while a call is under way: the waiter belongs to exactly one call
    private bool _onPool;           // the blocking call under way runs on a thread-pool thread and is counted
    internal Proc Proc = null!;
    internal IpcKernel Kernel = null!;
    // In a VM shared between processes: blocking calls park on the record's futex word, which wakers in every
    // process complete directly (null in an in-process VM).
    internal IRecordWait? RecordWait;

    internal ThreadPort() => _async = new AsyncCall(this);

    public void Completed()
    {
        // Read the outcome before an async call frees the endpoint: the next call reuses Proc.Msg and Proc.Result.
        if (_current is { } call)
        {
            call.Complete(new IpcResult(Proc.Result, Proc.Msg));
            return;
        }
        if (RecordWait is { } shared)
        {
            shared.Signal();
            return;
        }
        // Set is an interlocked update, so this read cannot pass it: a pool thread that published its task after
        // this read sees the signal set (Park). A task left from an earlier call may be completed here too; its
        // waiter, if any, only wakes early and checks the signal again.
        _signal.Set();
        Volatile.Read(ref _parked)?.TrySetResult();
    }

    public void Pending()
    {
        // A thread finds waiting work on its next receive; nothing to wake.
    }

    /// <summary>
    /// Thread-pool threads inside a blocking call that may wait, in the whole process (the pool is the process's):
    /// while there are any, the VMs' executors run actors on standby threads (<see cref="Actors.VmExecutor"/>).
    /// </summary>
    internal static int PoolThreadsInCalls => Volatile.Read(ref _poolThreadsInCalls);

    /// <summary>
    /// Takes the endpoint for a blocking call (one that waits unless <paramref name="mayBlock"/> is false); false when
    /// another call is under way.
    /// </summary>
    internal bool TryEnter(bool mayBlock)
    {
        if (Interlocked.Exchange(ref _inCall, 1) != 0) return false;
        _current = null;
        _signal.Reset();
        RecordWait?.Arm();
        // Counted before the kernel runs the call: its wakeup may already schedule the actor this caller waits for.
        _onPool = mayBlock && Thread.CurrentThread.IsThreadPoolThread;
        if (_onPool) Interlocked.Increment(ref _poolThreadsInCalls);
        return true;
    }

    /// <summary>Takes the endpoint for an async call and returns its value-task source; null when another call is
    /// under way.</summary>
    internal AsyncCall? TryEnterAsync()
    {
        if (Interlocked.Exchange(ref _inCall, 1) != 0) return null;
        if (!_async.IsFree) _async = new AsyncCall(this);   // the last result is not taken yet: keep it for its reader
        // The kernel numbers a call when it suspends, and no other call of ours can start meanwhile.
        _async.Begin(Proc.CallSeq + 1);
        _current = _async;
        _onPool = false;        // an async call holds no thread while it waits
        return _async;
    }

    internal void Exit()
    {
        RecordWait?.Disarm();
        if (_onPool)
        {
            _onPool = false;
            Interlocked.Decrement(ref _poolThreadsInCalls);
        }
        Volatile.Write(ref _inCall, 0);
    }

    /// <summary>
    /// Blocks until the suspended call completes or <paramref name="timeout"/> (positive or infinite, see
    /// <see cref="IpcTimeout"/>) has elapsed on the monotonic clock, whichever wins inside the kernel.
    /// </summary>
    internal IpcStatus Wait(TimeSpan timeout)
    {
        if (RecordWait is { } shared)
        {
            if (!shared.Wait(timeout))
            {
                if (Kernel.Abort(Proc, Proc.CallSeq, IpcStatus.TimedOut)) return IpcStatus.TimedOut;
                shared.Wait(Timeout.InfiniteTimeSpan);     // the completion won the race; it is on its way
            }
            return Proc.Result;
        }
        if (!WaitSignal(timeout))
        {
            if (Kernel.Abort(Proc, Proc.CallSeq, IpcStatus.TimedOut)) return IpcStatus.TimedOut;
            _signal.Wait();     // the completion won the race; its signal is already on its way
        }
        return Proc.Result;
    }

    // ManualResetEventSlim takes whole milliseconds, so a shorter timeout would not wait at all, and its timer may
    // return early: wait in whole milliseconds while at least one is left, then spin out the rest (§12.3).
    private bool WaitSignal(TimeSpan timeout)
    {
        var infinite = timeout == Timeout.InfiniteTimeSpan;
        var deadline = infinite ? 0 : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var spinner = new SpinWait();
        while (!_signal.IsSet)
        {
            if (infinite)
            {
                Park(Timeout.Infinite);
                continue;
            }
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) return false;
            if (left >= TicksPerMillisecond) Park((int)Math.Min(left / TicksPerMillisecond, int.MaxValue));
            else spinner.SpinOnce(sleep1Threshold: -1);      // never Sleep(1): that alone would overshoot tenfold
        }
        return true;
    }

    // Waits up to milliseconds for the signal; the caller checks it again. A pool thread blocked here should be one
    // the pool replaces soon, for the caller's own pool work (the VM's actors do not need it: VmExecutor): Task.Wait
    // tells the pool that its thread blocks (cooperative blocking) and the pool adds workers with little delay, while
    // a wait on the event alone leaves it to the starvation detector, about one thread per half second (34 pool
    // threads blocked in a plain process started in 5.3 s this way, in 29 s on the event). The task is allocated only
    // when a pool thread really parks, after a short spin.
    private void Park(int milliseconds)
    {
        if (!Thread.CurrentThread.IsThreadPoolThread)
        {
            _signal.Wait(milliseconds);
            return;
        }
        var spinner = new SpinWait();
        while (!spinner.NextSpinWillYield)
        {
            if (_signal.IsSet) return;
            spinner.SpinOnce();
        }
        var parked = new TaskCompletionSource();
        Interlocked.Exchange(ref _parked, parked);      // a full fence: published before the signal is read
        try
        {
            if (!_signal.IsSet) parked.Task.Wait(milliseconds);
        }
        finally
        {
            Interlocked.CompareExchange(ref _parked, null, parked);
        }
    }
}
