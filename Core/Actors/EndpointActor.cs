using Akka.Actor;
using Akka.Event;
using M3Actors.Actors;
using M3Actors.Kernel;

namespace M3Actors;

/// <summary>
/// An endpoint owned by an actor; create it with <see cref="Vm.ActorOf(Props, string?)"/>. Between handlers the actor
/// is always in an implicit receive (ANY, or the source chosen with <see cref="ReceiveFrom"/>), whatever it handled
/// before; each IPC message arrives in <see cref="OnMessage"/>. A blocking call (send that must wait, sendrec) returns
/// <see cref="IpcStatus.Suspended"/>: the actor is then blocked exactly like a Minix process — its rendezvous mailbox
/// hands it nothing but the outcome, in <see cref="OnSendDone"/> or <see cref="OnReply"/>. Ordinary Akka messages go
/// to <see cref="OnCommand"/> when the actor is not blocked. PoisonPill and Kill are not held: like a Minix process
/// killed inside sendrec, a blocked actor stops at once, its call ends unseen, and the Akka messages held before the
/// PoisonPill go to dead letters (Kill goes through supervision as usual). The endpoint is bound in PreStart and
/// unbound when the actor stops or crashes; a message the kernel handed over that no handler saw then goes to the VM's
/// dead letters. IPC calls may be made only from the actor's handlers and lifecycle hooks, never from a timer
/// callback or a task continuation (<see cref="InvalidOperationException"/>). Another actor that a handler's call
/// hands work to runs once the handler has returned (and is receiving again) or makes its next IPC call, so a
/// handler must not block waiting for it.
/// </summary>
public abstract class EndpointActor : UntypedActor
{
    private readonly int? _slot;
    private readonly TaskCompletionSource<Endpoint>? _bound;
    private readonly RendezvousQueue _queue;
    private readonly string _name;
    private ActorPort _port = null!;
    private Proc? _proc;
    private CallTimer? _timer;
    private int _runningOn;     // managed thread id of the handler or lifecycle hook running now; 0 between them

    /// <summary>Creates the actor; it binds <paramref name="slot"/>, or a free user slot when null.</summary>
    protected EndpointActor(int? slot = null)
    {
        _slot = slot;
        _bound = BindingProps.TakeBindTask();
        _name = Self.Path.ToStringWithoutAddress();
        const string how = "create endpoint actors inside a VM (vm.ActorOf)";
        Vm = Context.System.GetExtension<Vm>() ?? throw new InvalidOperationException(
            $"{GetType().Name} {_name}: ActorSystem '{Context.System.Name}' is not an M3Actors VM; {how}");
        _queue = ((ActorCell)Context).Mailbox?.MessageQueue as RendezvousQueue ?? throw new InvalidOperationException(
            $"{GetType().Name} {_name} has no rendezvous mailbox; {how}, " +
            "or give its Props .WithMailbox(RendezvousMailbox.Id)");
    }

    /// <summary>The VM this actor's endpoint belongs to.</summary>
    protected Vm Vm { get; }

    /// <summary>This actor's endpoint (<see cref="Endpoint.None"/> before it is bound).</summary>
    protected Endpoint Endpoint => _proc?.Ep ?? Endpoint.None;

    /// <summary>
    /// What was wrong with the last call, for diagnostics: null after a call that succeeded; inside
    /// <see cref="OnReply"/>, <see cref="OnSendDone"/> and <see cref="OnReceiveError"/>, why the outcome failed.
    /// </summary>
    protected string? LastError => _proc?.LastError;

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
        throw new IpcException(status, $"receive failed: {_proc?.LastError ?? status.Describe()}");

    /// <summary>An ordinary Akka message (not IPC); by default unhandled.</summary>
    protected virtual void OnCommand(object message) => Unhandled(message);

    /// <summary>send: Ok when delivered at once, Suspended when the actor now waits (outcome in <see cref="OnSendDone"/>), or an error.</summary>
    protected IpcStatus Send(Endpoint dst, in Message m) =>
        Begin(IpcCalls.Send, Kernel.Send(Own(nameof(Send)), dst, in m, IpcCalls.Send, mayBlock: true));

    /// <summary>
    /// send with a timeout: the outcome is <see cref="IpcStatus.TimedOut"/> if nobody took the message in time.
    /// <see cref="TimeSpan.Zero"/> returns <see cref="IpcStatus.Again"/> instead of waiting; a timeout over
    /// <see cref="int.MaxValue"/> ms means infinite; a negative one other than <see cref="Timeout.InfiniteTimeSpan"/>
    /// throws <see cref="ArgumentOutOfRangeException"/> before anything happens.
    /// </summary>
    protected IpcStatus Send(Endpoint dst, in Message m, TimeSpan timeout)
    {
        var caller = Own(nameof(Send), timeout);
        var status = Kernel.Send(caller, dst, in m, IpcCalls.Send, mayBlock: timeout != TimeSpan.Zero);
        return Timed(Begin(IpcCalls.Send, status), timeout);
    }

    /// <summary>sendrec: Suspended (the reply arrives in <see cref="OnReply"/>) or an error at once.</summary>
    protected IpcStatus SendRec(Endpoint dst, in Message m) =>
        Begin(IpcCalls.SendRec, Kernel.Send(Own(nameof(SendRec)), dst, in m, IpcCalls.SendRec, mayBlock: true));

    /// <summary>
    /// sendrec with a timeout covering both halves. <see cref="TimeSpan.Zero"/> returns <see cref="IpcStatus.Again"/>
    /// and sends nothing (a sendrec always waits for its reply); other timeouts as for
    /// <see cref="Send(Endpoint, in Message, TimeSpan)"/>.
    /// </summary>
    protected IpcStatus SendRec(Endpoint dst, in Message m, TimeSpan timeout)
    {
        var caller = Own(nameof(SendRec), timeout);
        var status = Kernel.Send(caller, dst, in m, IpcCalls.SendRec, mayBlock: timeout != TimeSpan.Zero);
        return Timed(Begin(IpcCalls.SendRec, status), timeout);
    }

    /// <summary>sendnb: never blocks; <see cref="IpcStatus.NotReady"/> when <paramref name="dst"/> is not waiting.</summary>
    protected IpcStatus SendNb(Endpoint dst, in Message m) =>
        Kernel.Send(Own(nameof(SendNb)), dst, in m, IpcCalls.SendNb, mayBlock: false);

    /// <summary>notify: never blocks; coalesced until <paramref name="dst"/> receives.</summary>
    protected IpcStatus Notify(Endpoint dst) => Kernel.Notify(Own(nameof(Notify)), dst);

    /// <summary>reply: never blocks; <paramref name="dst"/> must wait in sendrec for this actor.</summary>
    protected IpcStatus Reply(Endpoint dst, in Message m) => Kernel.Reply(Own(nameof(Reply)), dst, in m);

    /// <summary>vcopy between two endpoints' registered buffers (see <see cref="EndpointHandle.VCopy"/>).</summary>
    protected IpcStatus VCopy(Endpoint source, BufferAddress from, Endpoint destination, BufferAddress to, int bytes) =>
        Kernel.VCopy(Own(nameof(VCopy)), source, from, destination, to, bytes);

    /// <summary>Registers a region other endpoints may vcopy from or to; returns its buffer id.</summary>
    protected int RegisterBuffer(Memory<byte> region, BufferAccess access) =>
        Kernel.RegisterBuffer(Own(nameof(RegisterBuffer)), region, access);

    /// <summary>Narrows the next implicit receive to <paramref name="source"/>; it returns to ANY after one delivery.</summary>
    protected void ReceiveFrom(Endpoint source)
    {
        Check(nameof(ReceiveFrom));
        _queue.Filter = source;
    }

    /// <summary>Makes the next implicit receive a rcvrqst: only sendrec callers are taken.</summary>
    protected void ReceiveRequestsOnly()
    {
        Check(nameof(ReceiveRequestsOnly));
        _queue.RequestsOnly = true;
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _port = new ActorPort(Self);
        try
        {
            _proc = Kernel.Bind(_slot, _port, OwnerKind.Actor, _name);
        }
        catch (IpcException e)
        {
            // vm.ActorOf waits for this bind and throws e to its caller: stop quietly instead of failing the start.
            if (_bound?.TrySetException(e) != true) throw;
            Context.Stop(Self);
            return;
        }
        _queue.Attach(Kernel, _proc);
        _bound?.TrySetResult(_proc.Ep);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _timer?.Cancel();
        if (_proc is null) return;
        Kernel.Unbind(_proc, IpcStatus.NotBound);
        // Unbound, nothing more can arrive: what the kernel already handed over and no handler saw is a dead letter.
        // The sender is an endpoint, not an actor: Akka's convention for "no sender" in a dead letter is deadLetters.
        var deadLetters = Context.System.DeadLetters;
        if (_queue.TakeUnhandled(_proc, out var lost)) deadLetters.Tell(new DeadLetter(lost, deadLetters, Self));
        _queue.Detach();
    }

    /// <inheritdoc />
    protected sealed override bool AroundReceive(Receive receive, object message)
    {
        using var _ = Run();
        _port.Held.Open();
        var receiving = false;
        try
        {
            var handled = base.AroundReceive(receive, message);
            _queue.EnterIdleReceive();      // not after a handler that threw: the restart binds anew
            receiving = true;
            return handled;
        }
        finally
        {
            _port.Held.Close(handOver: receiving);      // partners the handler woke run now, finding it receiving again
        }
    }

    /// <inheritdoc />
    public override void AroundPreStart()
    {
        using var _ = Run();
        try
        {
            base.AroundPreStart();
            if (_proc is null && _bound?.Task.IsFaulted != true)
                throw new InvalidOperationException(
                    $"{GetType().Name} {_name} overrides PreStart without calling base.PreStart(): its endpoint is never bound");
        }
        catch (Exception e)
        {
            _bound?.TrySetException(e);      // vm.ActorOf throws what failed the start before the bind; Akka logs it too
            throw;
        }
    }

    /// <inheritdoc />
    public override void AroundPostRestart(Exception cause, object message)
    {
        using var _ = Run();
        base.AroundPostRestart(cause, message);
    }

    /// <inheritdoc />
    public override void AroundPreRestart(Exception cause, object message)
    {
        using var _ = Run();
        base.AroundPreRestart(cause, message);
    }

    /// <inheritdoc />
    public override void AroundPostStop()
    {
        using var _ = Run();
        base.AroundPostStop();
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
        if (ipc.Status == IpcStatus.Ok && call != IpcCalls.Send) _queue.VcpuSlot?.CountDelivery();
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

    private RunMark Run()
    {
        var mark = new RunMark(this, _runningOn);
        _runningOn = Environment.CurrentManagedThreadId;
        return mark;
    }

    // A kernel call: the wakeups held from the handler's earlier calls go out first, so a handler that calls again
    // and again until a partner actor has run (sendnb until it is receiving) lets that partner run.
    private Proc Own(string call)
    {
        var caller = Check(call);
        _port.Held.Flush();
        return caller;
    }

    // The lock-free outcome path assumes one caller at a time, the mailbox run: a call from anywhere else (a timer
    // callback, a task continuation) would race it, so it fails loudly instead. A thread id compare: no allocation.
    private Proc Check(string call)
    {
        if (_runningOn != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException(
                $"{GetType().Name} {_name} called {call} outside its handlers (from a timer " +
                "callback or a task continuation?): an endpoint actor makes IPC calls only in its handlers and " +
                "lifecycle hooks");
        return _proc ?? throw new InvalidOperationException(
            $"{GetType().Name} {_name} called {call} before its endpoint was bound");
    }

    private Proc Own(string call, TimeSpan timeout)
    {
        var caller = Own(call);
        CallTimer.Validate(timeout);
        return caller;
    }

    private IpcStatus Begin(IpcCalls call, IpcStatus status)
    {
        if (status == IpcStatus.Suspended) _queue.InFlight = call;
        return status;
    }

    private IpcStatus Timed(IpcStatus status, TimeSpan timeout)
    {
        if (status == IpcStatus.Suspended && !CallTimer.IsInfinite(timeout))
            _timer = new CallTimer(Vm.System, Kernel, _proc!, _port, timeout);
        return status;
    }

    // Marks a handler or lifecycle hook as running on this thread until disposed; restores the outer mark when nested.
    private readonly ref struct RunMark(EndpointActor actor, int outer)
    {
        public void Dispose() => actor._runningOn = outer;
    }
}
