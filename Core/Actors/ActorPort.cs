using Akka.Actor;
using Akka.Event;
using M3Actors.Kernel;

namespace M3Actors.Actors;

/// <summary>
/// How the kernel wakes an actor owner: a Tell of one shared token. The rendezvous queue drops the token and asks the
/// kernel what is deliverable, so a wakeup carries no data and allocates nothing.
/// </summary>
internal sealed class ActorPort(IActorRef self) : IEndpointPort
{
    public void Completed() => self.Tell(Wakeup.Instance, ActorRefs.NoSender);

    public void Pending() => self.Tell(Wakeup.Instance, ActorRefs.NoSender);
}

/// <summary>The token that schedules an endpoint actor's mailbox; never stored, never handled by the actor.</summary>
internal sealed class Wakeup : IDeadLetterSuppression
{
    internal static readonly Wakeup Instance = new();

    private Wakeup()
    {
    }
}
