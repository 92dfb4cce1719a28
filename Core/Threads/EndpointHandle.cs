using M3Actors.Kernel;

namespace M3Actors;

/// <summary>
/// An endpoint owned by a plain thread or async task — the seed's "Linux process calling mnx_sendrec". Blocking calls
/// wait on the calling thread; the <c>…Async</c> forms return value tasks that allocate nothing per call. One call may
/// be under way at a time (a second concurrent call gets <see cref="IpcStatus.Busy"/>); an <c>…Async</c> call owns the
/// endpoint until it completes, whether or not it is awaited. Timeouts: <see cref="TimeSpan.Zero"/> gives
/// <see cref="IpcStatus.Again"/> instead of blocking; a positive timeout waits at least that long on the monotonic
/// clock, however short; <see cref="Timeout.InfiniteTimeSpan"/> or one too large for the platform (over
/// <see cref="int.MaxValue"/> ms) waits forever; any other negative timeout throws
/// <see cref="ArgumentOutOfRangeException"/> before the call changes anything. Blocking calls park the calling
/// thread: make them from a dedicated thread (<see cref="Vm.StartThread"/>), not from a thread-pool thread — the VM
/// logs a warning the first time one blocks on a pool thread. Disposing the handle unbinds the endpoint, which
/// releases every partner blocked on it.
/// </summary>
public sealed class EndpointHandle : IDisposable
{
    private readonly Threads.ThreadPort _port;

    internal EndpointHandle(Vm vm, Threads.ThreadPort port)
    {
        Vm = vm;
        _port = port;
    }

    internal Proc Proc => _port.Proc;
    private IpcKernel Kernel => _port.Kernel;

    /// <summary>The VM this endpoint belongs to.</summary>
    public Vm Vm { get; }

    /// <summary>This endpoint's value (unique inside its VM).</summary>
    public Endpoint Endpoint => Proc.Ep;

    /// <summary>False once unbound (disposed, or the VM ended).</summary>
    public bool IsBound => Proc.Bound;

    /// <summary>What was wrong with the last call that failed, for diagnostics.</summary>
    public string? LastError => Proc.LastError;

    /// <summary>send: blocks until <paramref name="dst"/> takes the message.</summary>
    public IpcStatus Send(Endpoint dst, in Message m) => Send(dst, in m, Timeout.InfiniteTimeSpan);

    /// <summary>send with a timeout (zero: <see cref="IpcStatus.Again"/> instead of blocking).</summary>
    public IpcStatus Send(Endpoint dst, in Message m, TimeSpan timeout)
    {
        timeout = IpcTimeout.Check(timeout);
        if (!_port.TryEnter(mayBlock: timeout != TimeSpan.Zero)) return IpcStatus.Busy;
        try
        {
            return Settle(Kernel.Send(Proc, dst, in m, IpcCalls.Send, timeout != TimeSpan.Zero), timeout, IpcCalls.Send);
        }
        finally { _port.Exit(); }
    }

    /// <summary>sendnb: never blocks; <see cref="IpcStatus.NotReady"/> when <paramref name="dst"/> is not waiting for us.</summary>
    public IpcStatus SendNb(Endpoint dst, in Message m)
    {
        if (!_port.TryEnter(mayBlock: false)) return IpcStatus.Busy;
        try { return Kernel.Send(Proc, dst, in m, IpcCalls.SendNb, mayBlock: false); }
        finally { _port.Exit(); }
    }

    /// <summary>receive from <paramref name="src"/> or <see cref="Endpoint.Any"/>: notifications first, then queued senders.</summary>
    public IpcStatus Receive(Endpoint src, out Message m) => Receive(src, out m, Timeout.InfiniteTimeSpan);

    /// <summary>receive with a timeout (zero: <see cref="IpcStatus.Again"/> instead of blocking).</summary>
    public IpcStatus Receive(Endpoint src, out Message m, TimeSpan timeout) => ReceiveCore(src, IpcCalls.Receive, out m, timeout);

    /// <summary>rcvrqst: receive(ANY) restricted to sendrec callers (the server half of the optimised pair).</summary>
    public IpcStatus RcvRqst(out Message m) => RcvRqst(out m, Timeout.InfiniteTimeSpan);

    /// <summary>rcvrqst with a timeout.</summary>
    public IpcStatus RcvRqst(out Message m, TimeSpan timeout) => ReceiveCore(Endpoint.Any, IpcCalls.RcvRqst, out m, timeout);

    /// <summary>sendrec: sends <paramref name="m"/> and waits for the reply from <paramref name="dst"/>, which overwrites it.</summary>
    public IpcStatus SendRec(Endpoint dst, ref Message m) => SendRec(dst, ref m, Timeout.InfiniteTimeSpan);

    /// <summary>sendrec with a timeout covering both halves.</summary>
    public IpcStatus SendRec(Endpoint dst, ref Message m, TimeSpan timeout)
    {
        timeout = IpcTimeout.Check(timeout);
        if (!_port.TryEnter(mayBlock: timeout != TimeSpan.Zero)) return IpcStatus.Busy;
        try
        {
            var status = Settle(Kernel.Send(Proc, dst, in m, IpcCalls.SendRec, timeout != TimeSpan.Zero), timeout, IpcCalls.SendRec);
            if (status == IpcStatus.Ok) m = Proc.Msg;
            return status;
        }
        finally { _port.Exit(); }
    }

    /// <summary>notify: never blocks; coalesced with earlier notifications from us that <paramref name="dst"/> has not received.</summary>
    public IpcStatus Notify(Endpoint dst) => Kernel.Notify(Proc, dst);

    /// <summary>reply: never blocks; <paramref name="dst"/> must be waiting in sendrec for our reply.</summary>
    public IpcStatus Reply(Endpoint dst, in Message m) => Kernel.Reply(Proc, dst, in m);

    /// <summary>
    /// vcopy: copies <paramref name="bytes"/> from <paramref name="source"/>'s buffer to <paramref name="destination"/>'s.
    /// Either party may be <see cref="Endpoint.Self"/>; every party other than the caller must be blocked.
    /// </summary>
    public IpcStatus VCopy(Endpoint source, BufferAddress from, Endpoint destination, BufferAddress to, int bytes) =>
        Kernel.VCopy(Proc, source, from, destination, to, bytes);

    /// <summary>
    /// Registers a region other endpoints may vcopy from or to; returns its buffer id. Throws
    /// <see cref="IpcException"/> Range for an empty region, <see cref="ArgumentOutOfRangeException"/> for an access
    /// that is neither Read, Write nor both, NotBound once the endpoint is unbound.
    /// </summary>
    public int RegisterBuffer(Memory<byte> region, BufferAccess access) => Kernel.RegisterBuffer(Proc, region, access);

    /// <summary>Withdraws a registered buffer; false if the id was not registered.</summary>
    public bool UnregisterBuffer(int buffer) => Kernel.UnregisterBuffer(Proc, buffer);

    /// <summary>send, as a value task.</summary>
    public ValueTask<IpcStatus> SendAsync(Endpoint dst, Message m, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<IpcStatus>(cancellationToken);
        if (_port.TryEnterAsync() is not { } call) return new(IpcStatus.Busy);
        var status = Kernel.Send(Proc, dst, in m, IpcCalls.Send, mayBlock: true);
        if (status != IpcStatus.Suspended) return new(Done(call, status).Status);
        return new(call, Suspend(call, cancellationToken));
    }

    /// <summary>receive, as a value task.</summary>
    public ValueTask<IpcResult> ReceiveAsync(Endpoint src, CancellationToken cancellationToken = default) =>
        ReceiveAsyncCore(src, IpcCalls.Receive, cancellationToken);

    /// <summary>rcvrqst, as a value task.</summary>
    public ValueTask<IpcResult> RcvRqstAsync(CancellationToken cancellationToken = default) =>
        ReceiveAsyncCore(Endpoint.Any, IpcCalls.RcvRqst, cancellationToken);

    /// <summary>sendrec, as a value task; the result carries the reply.</summary>
    public ValueTask<IpcResult> SendRecAsync(Endpoint dst, Message m, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<IpcResult>(cancellationToken);
        if (_port.TryEnterAsync() is not { } call) return new(new IpcResult(IpcStatus.Busy, default));
        var status = Kernel.Send(Proc, dst, in m, IpcCalls.SendRec, mayBlock: true);
        if (status != IpcStatus.Suspended) return new(Done(call, status));
        return new(call, Suspend(call, cancellationToken));
    }

    /// <summary>Unbinds the endpoint: blocked partners get DstDied / SrcDied, a call of ours under way gets NotBound.</summary>
    public void Dispose() => Kernel.Unbind(Proc, IpcStatus.NotBound);

    /// <inheritdoc />
    public override string ToString() => $"{Endpoint} in VM {Vm.Id}";

    private IpcStatus ReceiveCore(Endpoint src, IpcCalls call, out Message m, TimeSpan timeout)
    {
        m = default;
        timeout = IpcTimeout.Check(timeout);
        if (!_port.TryEnter(mayBlock: timeout != TimeSpan.Zero)) return IpcStatus.Busy;
        try
        {
            var status = Settle(Kernel.Receive(Proc, src, call, timeout != TimeSpan.Zero), timeout, call);
            if (status == IpcStatus.Ok) m = Proc.Msg;
            return status;
        }
        finally { _port.Exit(); }
    }

    private ValueTask<IpcResult> ReceiveAsyncCore(Endpoint src, IpcCalls kind, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<IpcResult>(cancellationToken);
        if (_port.TryEnterAsync() is not { } call) return new(new IpcResult(IpcStatus.Busy, default));
        var status = Kernel.Receive(Proc, src, kind, mayBlock: true);
        if (status != IpcStatus.Suspended) return new(Done(call, status));
        return new(call, Suspend(call, cancellationToken));
    }

    // The async call completed without suspending: its source is not handed out, and the endpoint is free again.
    private IpcResult Done(Threads.AsyncCall call, IpcStatus status)
    {
        var result = new IpcResult(status, status == IpcStatus.Ok ? Proc.Msg : default);
        call.Release();
        _port.Exit();
        return result;
    }

    // The call suspended in the kernel: hand out its value task, cancellable from now on.
    private static short Suspend(Threads.AsyncCall call, CancellationToken cancellationToken)
    {
        call.Watch(cancellationToken);
        return call.Version;
    }

    private IpcStatus Settle(IpcStatus status, TimeSpan timeout, IpcCalls call)
    {
        if (status != IpcStatus.Suspended) return status;
        if (Thread.CurrentThread.IsThreadPoolThread) Vm.WarnBlockingOnPool(this, call);
        return _port.Wait(timeout);
    }
}
