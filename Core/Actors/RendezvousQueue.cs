using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using M3Actors.Kernel;

namespace M3Actors.Actors;

/// <summary>Marks a message queue with Minix rendezvous semantics (used for Akka's mailbox requirements).</summary>
public interface IRendezvousSemantics : ISemantics
{
}

/// <summary>
/// The rendezvous mailbox's queue. IPC senders are never stored here: they stay blocked in the kernel's queue of the
/// endpoint until the actor's receive takes them, so this queue only asks the kernel what may run. Ordinary Akka
/// messages wait in a FIFO and are held while the actor is blocked in a call — all but PoisonPill and Kill, which
/// pass the rendezvous so a blocked actor can still be stopped. Akka system messages (stop, watch, supervision)
/// never pass through a message queue, so they are never held back.
/// </summary>
public sealed class RendezvousQueue : IMessageQueue, IRendezvousSemantics
{
    private readonly ConcurrentQueue<Envelope> _user = new();
    private readonly IpcEvent _event = new();
    private IpcKernel? _kernel;
    private Proc? _proc;
    // Akka messages a stop request overtook while the actor was blocked; they keep their order ahead of _user.
    // Only the mailbox run touches it.
    private Queue<Envelope>? _overtaken;
    private int _stops;         // PoisonPill and Kill messages in _user
    private bool _ready;        // _event holds what the idle receive took at the end of a handler
    private bool _idle;         // in the idle receive with the work hint lowered, and nothing handed out since

    /// <summary>The source the actor's next implicit receive accepts (ANY unless the actor narrowed it).</summary>
    internal Endpoint Filter = Endpoint.Any;
    internal bool RequestsOnly;

    /// <summary>The actor's own call under way (send that waits, sendrec), or None: while set, only its outcome may run.</summary>
    internal IpcCalls InFlight;

    internal IpcEvent Event => _event;

    /// <summary>
    /// The actor's scheduling state when its dispatcher is a vCPU dispatcher, which reads it on every message and run
    /// (a field read here instead of a weak-table lookup per hop); null otherwise.
    /// </summary>
    internal Smp.ActorSlot? VcpuSlot;

    private bool UserWaiting => !_user.IsEmpty || _overtaken is { Count: > 0 };

    internal void Attach(IpcKernel kernel, Proc proc)
    {
        _kernel = kernel;
        _proc = proc;
        proc.VcpuSlot = VcpuSlot;   // the kernel counts the actor's calls on its vCPU (null off the vCPUs)
        Filter = Endpoint.Any;      // a restarted actor is a new incarnation: it has not narrowed its receive
        RequestsOnly = false;
        InFlight = IpcCalls.None;
        _ready = _idle = false;
    }

    internal void Detach() => _proc = null;

    /// <summary>
    /// True when something may run now: IPC work (the kernel raised the proc's work hint), a stop request, or an Akka
    /// message while the actor is not blocked in a call. Lock-free: the kernel raises the hint before it wakes the
    /// actor, so a false answer is always followed by a wakeup that schedules the mailbox again.
    /// </summary>
    public bool HasMessages =>
        _proc is { } p
            ? _ready || p.WorkHint || Volatile.Read(ref _stops) > 0 || (InFlight == IpcCalls.None && UserWaiting)
            : UserWaiting;

    /// <summary>Number of ordinary Akka messages waiting (IPC senders wait in the kernel, not here).</summary>
    public int Count => _user.Count + (_overtaken?.Count ?? 0);

    /// <summary>Stores an ordinary Akka message; wakeup tokens only schedule the mailbox and are dropped.</summary>
    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        if (envelope.Message is Wakeup) return;
        _user.Enqueue(envelope);
        if (IsStop(envelope)) Interlocked.Increment(ref _stops);     // counted once it can be found
    }

    /// <summary>The next thing the actor may run: a call's outcome, an IPC delivery, a stop request or an Akka message.</summary>
    public bool TryDequeue(out Envelope envelope)
    {
        if (_proc is not { } p) return TryDequeueUser(out envelope);
        if (_ready)
        {
            _ready = false;
            envelope = new Envelope(_event, ActorRefs.NoSender);
            return true;
        }
        ActorStep step;
        if (IpcKernel.TryTakeOutcome(p, out _event.Status, out _event.Message))
        {
            step = ActorStep.Ipc;
        }
        else if (InFlight != IpcCalls.None)
        {
            // Blocked in its own call: the rendezvous holds everything but the outcome and a stop request.
            if (Volatile.Read(ref _stops) > 0) return TryOvertakeWithStop(out envelope);
            envelope = default;
            if (!p.WorkHint || !LowerHintAndTakeOutcome(p)) return false;
            step = ActorStep.Ipc;
        }
        else if (_idle && !p.WorkHint && !UserWaiting)
        {
            envelope = default;     // still in the idle receive and nothing arrived: no need to ask the kernel
            return false;
        }
        else
        {
            step = AskKernel(p, UserWaiting);
        }
        return Hand(step, out envelope);
    }

    /// <summary>
    /// Called when a handler returns and the actor is not blocked in a call of its own: it re-enters its implicit
    /// receive at once (rulebook §12.8), so between handlers it is receiving whatever it handled and however the
    /// dispatcher's throughput ended the mailbox run. What the receive takes at once runs next.
    /// </summary>
    internal void EnterIdleReceive()
    {
        if (_proc is not { } p || InFlight != IpcCalls.None || _ready) return;
        if (AskKernel(p, userWaiting: false) == ActorStep.Ipc)
        {
            NewReceive();
            _ready = true;
        }
        else
        {
            _idle = true;
        }
    }

    /// <summary>
    /// After the endpoint is unbound: a message the kernel handed to the actor (into its idle receive, or as the reply
    /// of its sendrec) that no handler has seen, so the actor can pass it to dead letters (rulebook §12.9).
    /// </summary>
    internal bool TakeUnhandled(Proc proc, out Message message)
    {
        IpcStatus status;
        bool taken;
        if (_ready)
        {
            (status, message, taken) = (_event.Status, _event.Message, true);
            _ready = false;
        }
        else
        {
            taken = IpcKernel.TryTakeOutcome(proc, out status, out message);
        }
        return taken && status == IpcStatus.Ok && InFlight != IpcCalls.Send;     // a send's outcome carries no message
    }

    /// <summary>Moves held Akka messages to dead letters when the actor ends.</summary>
    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeueUser(out var envelope)) deadletters.Enqueue(owner, envelope);
    }

    // Blocked in its own call, only the call's outcome may run, and the kernel publishes the outcome before it raises
    // the hint. So the hint left over from the previous outcome (or from work that only the idle receive after this
    // call can take) is lowered here without the kernel's lock, then the outcome is looked for once more: an outcome
    // published before the lowering is seen now, and one published after it raises the hint again, which the
    // mailbox reads before it goes idle. This saves a locked kernel section per sendrec (or waiting send).
    private bool LowerHintAndTakeOutcome(Proc p)
    {
        p.WorkHint = false;
        Interlocked.MemoryBarrier();    // the store above before the load below (a store-load pair)
        return IpcKernel.TryTakeOutcome(p, out _event.Status, out _event.Message);
    }

    private ActorStep AskKernel(Proc p, bool userWaiting) =>
        _kernel!.NextForActor(p, Filter, RequestsOnly, userWaiting, out _event.Status, out _event.Message);

    private bool Hand(ActorStep step, out Envelope envelope)
    {
        switch (step)
        {
            case ActorStep.Ipc:
                _idle = false;
                NewReceive();
                envelope = new Envelope(_event, ActorRefs.NoSender);
                return true;
            case ActorStep.User:
                _idle = false;
                return TryDequeueUser(out envelope);
            default:
                _idle = InFlight == IpcCalls.None;
                envelope = default;
                return false;
        }
    }

    // Each receive names its source anew, as in Minix.
    private void NewReceive()
    {
        Filter = Endpoint.Any;
        RequestsOnly = false;
    }

    private bool TryDequeueUser(out Envelope envelope)
    {
        if (_overtaken is { Count: > 0 })
        {
            envelope = _overtaken.Dequeue();
            return true;
        }
        if (!_user.TryDequeue(out envelope)) return false;
        if (IsStop(envelope)) Interlocked.Decrement(ref _stops);
        return true;
    }

    // A Minix process blocked in sendrec can still be killed: the first PoisonPill or Kill runs now, ahead of the
    // Akka messages before it, which keep their order for later (or go to dead letters when the actor stops).
    private bool TryOvertakeWithStop(out Envelope envelope)
    {
        while (_user.TryDequeue(out envelope))
        {
            if (IsStop(envelope))
            {
                Interlocked.Decrement(ref _stops);
                return true;
            }
            (_overtaken ??= new Queue<Envelope>()).Enqueue(envelope);
        }
        return false;
    }

    private static bool IsStop(in Envelope envelope) => envelope.Message is PoisonPill or Kill;
}
