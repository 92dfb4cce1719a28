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
/// messages wait in a FIFO and are held, like everything else, while the actor is blocked in a call. Akka system
/// messages (stop, watch, supervision) never pass through a message queue, so they are never held back.
/// </summary>
public sealed class RendezvousQueue : IMessageQueue, IRendezvousSemantics
{
    private readonly ConcurrentQueue<Envelope> _user = new();
    private readonly IpcEvent _event = new();
    private IpcKernel? _kernel;
    private Proc? _proc;

    /// <summary>The source the actor's next implicit receive accepts (ANY unless the actor narrowed it).</summary>
    internal Endpoint Filter = Endpoint.Any;
    internal bool RequestsOnly;

    /// <summary>The actor's own call under way (send that waits, sendrec), or None: while set, only its outcome may run.</summary>
    internal IpcCalls InFlight;

    internal IpcEvent Event => _event;

    internal void Attach(IpcKernel kernel, Proc proc)
    {
        _kernel = kernel;
        _proc = proc;
        Filter = Endpoint.Any;      // a restarted actor is a new incarnation: it has not narrowed its receive
        RequestsOnly = false;
        InFlight = IpcCalls.None;
    }

    internal void Detach() => _proc = null;

    /// <summary>
    /// True when something may run now: IPC work (the kernel raised the proc's work hint), or an Akka message while the
    /// actor is not blocked in a call. Lock-free: the kernel raises the hint before it wakes the actor, so a false
    /// answer is always followed by a wakeup that schedules the mailbox again.
    /// </summary>
    public bool HasMessages =>
        _proc is { } p ? p.WorkHint || (InFlight == IpcCalls.None && !_user.IsEmpty) : !_user.IsEmpty;

    /// <summary>Number of ordinary Akka messages waiting (IPC senders wait in the kernel, not here).</summary>
    public int Count => _user.Count;

    /// <summary>Stores an ordinary Akka message; wakeup tokens only schedule the mailbox and are dropped.</summary>
    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        if (envelope.Message is Wakeup) return;
        _user.Enqueue(envelope);
    }

    /// <summary>The next thing the actor may run: a call's outcome, an IPC delivery, or an Akka message.</summary>
    public bool TryDequeue(out Envelope envelope)
    {
        if (_proc is not { } p) return _user.TryDequeue(out envelope);
        if (InFlight != IpcCalls.None && !p.WorkHint)
        {
            envelope = default;     // blocked in its own call and the outcome has not come: the rendezvous holds
            return false;
        }
        var step = IpcKernel.TryTakeOutcome(p, out _event.Status, out _event.Message)
            ? ActorStep.Ipc
            : _kernel!.NextForActor(p, Filter, RequestsOnly, !_user.IsEmpty, out _event.Status, out _event.Message);
        switch (step)
        {
            case ActorStep.Ipc:
                Filter = Endpoint.Any;      // each receive names its source anew, as in Minix
                RequestsOnly = false;
                envelope = new Envelope(_event, ActorRefs.NoSender);
                return true;
            case ActorStep.User:
                return _user.TryDequeue(out envelope);
            default:
                envelope = default;
                return false;
        }
    }

    /// <summary>Moves held Akka messages to dead letters when the actor ends.</summary>
    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (_user.TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }
}
