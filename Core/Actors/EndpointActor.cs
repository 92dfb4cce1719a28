using Akka.Actor;
using Akka.Dispatch;
using M3Actors.Actors;
using M3Actors.Kernel;

namespace M3Actors;

/// <summary>
/// An endpoint owned by an actor. Between handlers the actor sits in an implicit receive (ANY, or the source chosen
/// with <see cref="ReceiveFrom"/>); each IPC message arrives in <see cref="OnMessage"/>. A blocking call (send that
/// must wait, sendrec) returns <see cref="IpcStatus.Suspended"/>: the actor is then blocked exactly like a Minix
/// process — its rendezvous mailbox hands it nothing but the outcome, in <see cref="OnSendDone"/> or
/// <see cref="OnReply"/>. Ordinary Akka messages go to <see cref="OnCommand"/> when the actor is not blocked.
/// The endpoint is bound in PreStart and unbound when the actor stops or crashes.
/// </summary>
public abstract class EndpointActor : UntypedActor, IRequiresMessageQueue<IRendezvousSemantics>
{
    private readonly int? _slot;
    private RendezvousQueue _queue = null!;
    private ActorPort _port = null!;
    private Proc _proc = null!;
    private ICancelable? _timer;

    /// <summary>Creates the actor; it binds <paramref name="slot"/>, or a free user slot when null.</summary>
    protected EndpointActor(int? slot = null) => _slot = slot;

    /// <summary>The VM this actor's endpoint belongs to.</summary>
    protected Vm Vm { get; private set; } = null!;

    /// <summary>This actor's endpoint.</summary>
    protected Endpoint Endpoint => _proc.Ep;

    /// <summary>What was wrong with the last call that failed, for diagnostics.</summary>
    protected string? LastError => _proc.LastError;

    private IpcKernel Kernel => Vm.Kernel;

    /// <summary>An IPC message (or a notification: <see cref="Message.IsNotify"/>) taken by the implicit receive.</summary>
    protected abstract void OnMessage(in Message m);

    /// <summary>The outcome of <see cref="SendRec(Endpoint, in Message)"/>: the reply when <paramref name="status"/> is Ok.</summary>
    protected virtual void OnReply(IpcStatus status, in Message reply) =>
        throw new InvalidOperationException($"{GetType().Name} issued sendrec but does not override OnReply ({status})");

    /// <summary>The outcome of a <see cref="Send(Endpoint, in Message)"/> that had to wait.</summary>
    protected virtual void OnSendDone(IpcStatus status) =>
        throw new InvalidOperationException($"{GetType().Name} sent with wait but does not override OnSendDone ({status})");

    /// <summary>The implicit receive failed (the source named by <see cref="ReceiveFrom"/> died or would deadlock).</summary>
    protected virtual void OnReceiveError(IpcStatus status) =>
        throw new IpcException(status, $"receive failed: {_proc.LastError ?? status.Describe()}");

    /// <summary>An ordinary Akka message (not IPC); by default unhandled.</summary>
    protected virtual void OnCommand(object message) => Unhandled(message);

    /// <summary>send: Ok when delivered at once, Suspended when the actor now waits (outcome in <see cref="OnSendDone"/>), or an error.</summary>
    protected IpcStatus Send(Endpoint dst, in Message m) => Begin(IpcCalls.Send, Kernel.Send(_proc, dst, in m, IpcCalls.Send, mayBlock: true));

    /// <summary>send with a timeout: the outcome is <see cref="IpcStatus.TimedOut"/> if nobody took the message in time.</summary>
    protected IpcStatus Send(Endpoint dst, in Message m, TimeSpan timeout) =>
        Timed(Begin(IpcCalls.Send, Kernel.Send(_proc, dst, in m, IpcCalls.Send, mayBlock: CanWait(timeout))), timeout);

    /// <summary>sendrec: Suspended (the reply arrives in <see cref="OnReply"/>) or an error at once.</summary>
    protected IpcStatus SendRec(Endpoint dst, in Message m) =>
        Begin(IpcCalls.SendRec, Kernel.Send(_proc, dst, in m, IpcCalls.SendRec, mayBlock: true));

    /// <summary>sendrec with a timeout covering both halves.</summary>
    protected IpcStatus SendRec(Endpoint dst, in Message m, TimeSpan timeout) =>
        Timed(Begin(IpcCalls.SendRec, Kernel.Send(_proc, dst, in m, IpcCalls.SendRec, mayBlock: CanWait(timeout))), timeout);

    /// <summary>sendnb: never blocks; <see cref="IpcStatus.NotReady"/> when <paramref name="dst"/> is not waiting.</summary>
    protected IpcStatus SendNb(Endpoint dst, in Message m) => Kernel.Send(_proc, dst, in m, IpcCalls.SendNb, mayBlock: false);

    /// <summary>notify: never blocks; coalesced until <paramref name="dst"/> receives.</summary>
    protected IpcStatus Notify(Endpoint dst) => Kernel.Notify(_proc, dst);

    /// <summary>reply: never blocks; <paramref name="dst"/> must wait in sendrec for this actor.</summary>
    protected IpcStatus Reply(Endpoint dst, in Message m) => Kernel.Reply(_proc, dst, in m);

    /// <summary>vcopy between two endpoints' registered buffers (see <see cref="EndpointHandle.VCopy"/>).</summary>
    protected IpcStatus VCopy(Endpoint source, BufferAddress from, Endpoint destination, BufferAddress to, int bytes) =>
        Kernel.VCopy(_proc, source, from, destination, to, bytes);

    /// <summary>Registers a region other endpoints may vcopy from or to; returns its buffer id.</summary>
    protected int RegisterBuffer(Memory<byte> region, BufferAccess access) => Kernel.RegisterBuffer(_proc, region, access);

    /// <summary>Narrows the next implicit receive to <paramref name="source"/>; it returns to ANY after one delivery.</summary>
    protected void ReceiveFrom(Endpoint source) => _queue.Filter = source;

    /// <summary>Makes the next implicit receive a rcvrqst: only sendrec callers are taken.</summary>
    protected void ReceiveRequestsOnly() => _queue.RequestsOnly = true;

    /// <inheritdoc />
    protected override void PreStart()
    {
        Vm = Vm.Of(Context.System);
        _queue = ((ActorCell)Context).Mailbox?.MessageQueue as RendezvousQueue
            ?? throw new InvalidOperationException($"{Self.Path} has no rendezvous mailbox; create endpoint actors inside a VM");
        _port = new ActorPort(Self);
        _proc = Kernel.Bind(_slot, _port, OwnerKind.Actor, Self.Path.ToStringWithoutAddress());
        _queue.Attach(Kernel, _proc);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _timer?.Cancel();
        if (_proc is null) return;
        _queue.Detach();
        Kernel.Unbind(_proc, IpcStatus.NotBound);
    }

    /// <inheritdoc />
    protected sealed override void OnReceive(object message)
    {
        if (message is not IpcEvent ipc || ipc != _queue.Event)
        {
            OnCommand(message);
            return;
        }
        var call = _queue.InFlight;
        _queue.InFlight = IpcCalls.None;
        _timer?.Cancel();
        _timer = null;
        if (ipc.Status == IpcStatus.Ok && call != IpcCalls.Send) Smp.Vcpu.Current?.OnMessageDelivered();
        switch (call)
        {
            case IpcCalls.SendRec: OnReply(ipc.Status, in ipc.Message); break;
            case IpcCalls.Send: OnSendDone(ipc.Status); break;
            default:
                if (ipc.Status == IpcStatus.Ok) OnMessage(in ipc.Message);
                else OnReceiveError(ipc.Status);
                break;
        }
    }

    private IpcStatus Begin(IpcCalls call, IpcStatus status)
    {
        if (status == IpcStatus.Suspended) _queue.InFlight = call;
        return status;
    }

    // Zero means "do not block" (Again); checked before the call so a bad timeout changes nothing.
    private static bool CanWait(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a timeout is zero, positive, or Timeout.InfiniteTimeSpan");
        return timeout != TimeSpan.Zero;
    }

    private IpcStatus Timed(IpcStatus status, TimeSpan timeout)
    {
        if (status != IpcStatus.Suspended || timeout == Timeout.InfiniteTimeSpan) return status;
        var (kernel, proc, port, seq) = (Kernel, _proc, _port, _proc.CallSeq);
        _timer = Context.System.Scheduler.Advanced.ScheduleOnceCancelable(timeout, () =>
        {
            if (kernel.Abort(proc, seq, IpcStatus.TimedOut)) port.Completed();
        });
        return status;
    }
}
