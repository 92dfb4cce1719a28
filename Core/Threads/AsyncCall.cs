using System.Threading.Tasks.Sources;

namespace M3Actors.Threads;

/// <summary>
/// The value-task source behind one <c>…Async</c> call of a thread endpoint. The call owns the endpoint only until it
/// completes (rulebook §12.4): completion frees the endpoint first, then publishes the result, so a call nobody awaits
/// never leaves the endpoint Busy. The source is reused for the next call once its result was taken; a call made
/// while the previous result is still untaken gets a fresh source, so a late await still reads its own result.
/// </summary>
internal sealed class AsyncCall(ThreadPort port) : IValueTaskSource<IpcResult>, IValueTaskSource<IpcStatus>
{
    private const int Waiting = 0;      // suspended in the kernel, no cancellation registered yet
    private const int Watching = 1;     // suspended, with a cancellation registration to undo on completion
    private const int Settled = 2;      // completed or cancelled

    private ManualResetValueTaskSourceCore<IpcResult> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _cancelledBy;     // the token that asked to cancel the call under way, if any
    private long _seq;
    private int _state;
    private volatile bool _free = true;

    /// <summary>True when no call uses the source and nobody may still read its last result.</summary>
    internal bool IsFree => _free;

    /// <summary>The token of the value task for the current call.</summary>
    internal short Version => _core.Version;

    /// <summary>Takes the source for a call that, if it suspends, will be kernel call number <paramref name="seq"/>.</summary>
    internal void Begin(long seq)
    {
        _free = false;
        _core.Reset();
        _seq = seq;
        _state = Waiting;
        _cancellation = default;
        _cancelledBy = default;
    }

    /// <summary>The call completed without suspending: nobody will await this source.</summary>
    internal void Release() => _free = true;

    /// <summary>After the call suspended: cancelling <paramref name="token"/> aborts it (unless it completed first).</summary>
    internal void Watch(CancellationToken token)
    {
        if (!token.CanBeCanceled) return;
        _cancellation = token.UnsafeRegister(static (state, t) => ((AsyncCall)state!).Cancel(t), this);
        if (Interlocked.CompareExchange(ref _state, Watching, Waiting) != Waiting) _cancellation.Unregister();
    }

    /// <summary>
    /// The kernel completed the suspended call with <paramref name="result"/>. A call shipped to another node cannot
    /// be aborted here when it is cancelled: its owner node withdraws it and answers TimedOut (two-phase cancel, see
    /// the ClusterBridge). An async call has no timeout of its own, so that TimedOut is the cancellation: it ends as a
    /// cancelled local call does, with <see cref="OperationCanceledException"/>. An answer that beat the
    /// cancellation there (a delivered send, a reply) stands, as a local completion that beats it does.
    /// </summary>
    internal void Complete(in IpcResult result)
    {
        if (result.Status == IpcStatus.TimedOut && _cancelledBy.IsCancellationRequested)
            Settle(default, new OperationCanceledException(_cancelledBy));
        else Settle(result, null);
    }

    private void Cancel(CancellationToken token)
    {
        // Noted before the abort: a shipped call's withdrawal may be answered before Abort has even returned. Only
        // for a call to a ghost: a local call that cannot be aborted now (a party pinned by a vcopy) keeps its
        // TimedOut, which says the copy ran before the cancellation took effect.
        if (SendsToGhost()) _cancelledBy = token;
        if (port.Kernel.Abort(port.Proc, _seq, IpcStatus.TimedOut)) Settle(default, new OperationCanceledException(token));
    }

    private bool SendsToGhost() =>
        port.Proc is { IsSending: true } p && port.Kernel.ProcAt(p.SendTo.Slot)?.Port is Kernel.IpcKernel.IGhostPort;

    private void Settle(in IpcResult result, Exception? error)
    {
        // Unregister (not Dispose): this may run inside the cancellation callback, which Dispose would wait for.
        if (Interlocked.Exchange(ref _state, Settled) == Watching) _cancellation.Unregister();
        port.Exit();
        if (error is null) _core.SetResult(result);
        else _core.SetException(error);
    }

    private IpcResult Take(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            if (token == _core.Version)
            {
                _cancellation.Dispose();    // waits for a cancellation callback still running, before reuse
                _free = true;
            }
        }
    }

    IpcResult IValueTaskSource<IpcResult>.GetResult(short token) => Take(token);

    IpcStatus IValueTaskSource<IpcStatus>.GetResult(short token) => Take(token).Status;

    ValueTaskSourceStatus IValueTaskSource<IpcResult>.GetStatus(short token) => _core.GetStatus(token);

    ValueTaskSourceStatus IValueTaskSource<IpcStatus>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<IpcResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource<IpcStatus>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
