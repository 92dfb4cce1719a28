using System.Diagnostics;
using M3Actors.Kernel;

namespace M3Actors.Threads;

/// <summary>
/// How the kernel wakes a thread or task owner. An endpoint has at most one call under way, so one reusable waiter
/// per endpoint serves every call: a ManualResetEventSlim for blocking calls, and a pooled value-task source
/// (<see cref="AsyncCall"/>) for async ones, so neither path allocates per call.
/// </summary>
internal sealed class ThreadPort : IEndpointPort
{
    private static readonly long TicksPerMillisecond = Stopwatch.Frequency / 1000;

    // A reply from an actor on the other core takes a microsecond or two, while waking a parked thread costs ~25 µs
    // on this kind of VM: spin (yielding, so a loaded box is not starved) for as long as the event allows first.
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 2047);
    private AsyncCall _async;
    private AsyncCall? _current;    // the async call under way; null while a blocking call is
    private int _inCall;            // 1 while a call is under way: the waiter belongs to exactly one call
    internal Proc Proc = null!;
    internal IpcKernel Kernel = null!;
    // In a VM shared between processes: blocking calls park on the record's futex word, which wakers in every
    // process complete directly (null in an in-process VM).
    internal IRecordWait? RecordWait;

    internal ThreadPort() => _async = new AsyncCall(this);

    public void Completed()
    {
        // Read the outcome before an async call frees the endpoint: the next call reuses Proc.Msg and Proc.Result.
        if (_current is { } call) call.Complete(new IpcResult(Proc.Result, Proc.Msg));
        else if (RecordWait is { } shared) shared.Signal();
        else _signal.Set();
    }

    public void Pending()
    {
        // A thread finds waiting work on its next receive; nothing to wake.
    }

    /// <summary>Takes the endpoint for a blocking call; false when another call is under way.</summary>
    internal bool TryEnter()
    {
        if (Interlocked.Exchange(ref _inCall, 1) != 0) return false;
        _current = null;
        _signal.Reset();
        RecordWait?.Arm();
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
        return _async;
    }

    internal void Exit()
    {
        RecordWait?.Disarm();
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
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            _signal.Wait();
            return true;
        }
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var spinner = new SpinWait();
        while (!_signal.IsSet)
        {
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) return false;
            if (left >= TicksPerMillisecond)
            {
                if (_signal.Wait((int)Math.Min(left / TicksPerMillisecond, int.MaxValue))) return true;
            }
            else
            {
                spinner.SpinOnce(sleep1Threshold: -1);      // never Sleep(1): that alone would overshoot tenfold
            }
        }
        return true;
    }
}
