using System.Threading.Tasks.Sources;
using M3Actors.Kernel;

namespace M3Actors.Threads;

/// <summary>
/// How the kernel wakes a thread or task owner. An endpoint has at most one call under way, so one reusable waiter
/// per endpoint serves every call: a ManualResetEventSlim for blocking calls, and a pooled value-task source for async
/// ones, so neither path allocates per call.
/// </summary>
internal sealed class ThreadPort : IEndpointPort, IValueTaskSource<IpcResult>, IValueTaskSource<IpcStatus>
{
    // A reply from an actor on the other core takes a microsecond or two, while waking a parked thread costs ~25 µs
    // on this kind of VM: spin (yielding, so a loaded box is not starved) for as long as the event allows first.
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 2047);
    private ManualResetValueTaskSourceCore<IpcResult> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;
    private int _inCall;        // 1 while a call is under way: the waiter belongs to exactly one call
    private bool _async;
    private long _callSeq;
    internal Proc Proc = null!;
    internal IpcKernel Kernel = null!;

    public void Completed()
    {
        if (_async) _core.SetResult(new IpcResult(Proc.Result, Proc.Msg));
        else _signal.Set();
    }

    public void Pending()
    {
        // A thread finds waiting work on its next receive; nothing to wake.
    }

    internal bool TryEnter(bool async)
    {
        if (Interlocked.Exchange(ref _inCall, 1) != 0) return false;
        _async = async;
        if (async) _core.Reset();
        else _signal.Reset();
        return true;
    }

    internal void Exit() => Volatile.Write(ref _inCall, 0);

    // Blocks until the suspended call completes or the timeout elapses, whichever wins inside the kernel.
    internal IpcStatus Wait(TimeSpan timeout)
    {
        if (!_signal.Wait(timeout))
        {
            if (Kernel.Abort(Proc, Proc.CallSeq, IpcStatus.TimedOut)) return IpcStatus.TimedOut;
            _signal.Wait();     // the completion won the race; its signal is already on its way
        }
        return Proc.Result;
    }

    internal short StartAsyncWait(CancellationToken cancellationToken)
    {
        _callSeq = Proc.CallSeq;
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((ThreadPort)state!).Cancel(token), this);
        return _core.Version;
    }

    private void Cancel(CancellationToken token)
    {
        if (Kernel.Abort(Proc, _callSeq, IpcStatus.TimedOut)) _core.SetException(new OperationCanceledException(token));
    }

    IpcResult IValueTaskSource<IpcResult>.GetResult(short token) => Finish(token);

    IpcStatus IValueTaskSource<IpcStatus>.GetResult(short token) => Finish(token).Status;

    ValueTaskSourceStatus IValueTaskSource<IpcResult>.GetStatus(short token) => _core.GetStatus(token);

    ValueTaskSourceStatus IValueTaskSource<IpcStatus>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<IpcResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource<IpcStatus>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private IpcResult Finish(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _cancellation.Dispose();
            _cancellation = default;
            Exit();
        }
    }
}
