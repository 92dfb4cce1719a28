using System.Diagnostics;
using Akka.Actor;
using M3Actors.Actors;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>A system server or driver RS keeps alive.</summary>
/// <param name="Name">Its name (the child actor is named name-incarnation).</param>
/// <param name="Slot">The system slot it binds: the same endpoint in every incarnation.</param>
/// <param name="Props">How to start an incarnation.</param>
/// <param name="Dependants">System slots of the servers RS notifies when this one is back (VFS for the disk).</param>
public sealed record Service(string Name, int Slot, Func<Props> Props, IReadOnlyList<int> Dependants);

/// <summary>
/// RS, the reincarnation server. It starts every service as its child, so Akka supervision reports their crashes
/// to it; it stops a crashed child, and when DeathWatch says the child is gone — its endpoint already unbound, since
/// an actor unbinds in PostStop, before its watchers hear of it — it starts a fresh incarnation on the same system
/// slot, waits until the slot is bound (within <see cref="RestartBound"/>), and notifies the service's dependants so
/// they re-issue whatever they had in flight. Every crash and restart goes to the <see cref="RsJournal"/>.
/// </summary>
public sealed class RsServer(IReadOnlyList<Service> services, RsJournal journal) : EndpointActor(RsSlot)
{
    /// <summary>How long a new incarnation may take to bind its slot before RS reports the restart failed.</summary>
    public static readonly TimeSpan RestartBound = TimeSpan.FromSeconds(5);

    private readonly Dictionary<IActorRef, Service> _children = [];
    private readonly Dictionary<int, int> _incarnations = [];
    private readonly Dictionary<int, (long At, string Reason)> _crashes = [];   // by slot, until the service is back

    /// <summary>Forwards <paramref name="Message"/> (such as <see cref="CrashOnNextRequest"/>) to a service.</summary>
    public sealed record ToService(int Slot, object Message);

    private sealed record Up(Service Service);

    private sealed record NotUp(Service Service, Exception Error);

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        foreach (var service in services) Start(service);
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new Supervision(this);

    // RS takes no requests: it learns of crashes through supervision and only ever notifies.
    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        if (!m.IsNotify) Reply(m.Source, Answer(NoSys));
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Terminated { ActorRef: var child } when _children.Remove(child, out var service):
                if (!_crashes.ContainsKey(service.Slot)) _crashes[service.Slot] = (Stopwatch.GetTimestamp(), "stopped");
                Start(service);
                // The old incarnation unbound before Terminated was sent, so "bound" can only mean the new one.
                Vm.WhenBoundAsync(service.Slot, RestartBound)
                    .PipeTo(Self, success: _ => new Up(service), failure: e => new NotUp(service, e));
                break;
            case Up { Service: var service }:
                var (at, reason) = _crashes[service.Slot];
                _crashes.Remove(service.Slot);
                // A dependant that is itself down starts fresh when it is back; the failed notify tells it nothing.
                foreach (var slot in service.Dependants) Notify(Endpoint.System(slot));
                journal.Restarted(service.Name, reason, Stopwatch.GetElapsedTime(at));
                break;
            case NotUp { Service: var service, Error: var error }:
                journal.RestartFailed(service.Name, $"not bound within {RestartBound.TotalSeconds} s: {error.Message}");
                break;
            case ToService { Slot: var slot, Message: var command }:
                foreach (var (child, service) in _children)
                    if (service.Slot == slot) child.Forward(command);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Start(Service service)
    {
        var incarnation = _incarnations[service.Slot] = _incarnations.GetValueOrDefault(service.Slot) + 1;
        // A child endpoint actor is made by RS, not by vm.ActorOf, so it names the rendezvous mailbox itself.
        var child = Context.ActorOf(service.Props().WithMailbox(RendezvousMailbox.Id), $"{service.Name}-{incarnation}");
        Context.Watch(child);
        _children[child] = service;
    }

    // Runs in RS's context when a child fails: note when and why, then stop it (a fresh incarnation, never a reused
    // one). Akka's own failure log is off because the journal reports every crash.
    private void Crashed(IActorRef child, Exception cause)
    {
        if (_children.TryGetValue(child, out var service))
            _crashes[service.Slot] = (Stopwatch.GetTimestamp(), $"{cause.GetType().Name}: {cause.Message}");
    }

    private sealed class Supervision(RsServer rs) : OneForOneStrategy(_ => Directive.Stop, loggingEnabled: false)
    {
        protected override Directive Handle(IActorRef child, Exception exception)
        {
            rs.Crashed(child, exception);
            return Directive.Stop;
        }
    }
}
