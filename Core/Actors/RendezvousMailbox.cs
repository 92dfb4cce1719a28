using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace M3Actors.Actors;

/// <summary>
/// The synchronous rendezvous mailbox of endpoint actors. Every VM's ActorSystem registers it as
/// <c>m3actors.rendezvous-mailbox</c> (and maps <see cref="IRendezvousSemantics"/> to it);
/// <see cref="Vm.ActorOf(Props, string?)"/> gives it to every <see cref="EndpointActor"/>. The actor itself does not
/// require it through Akka, so one created outside a VM fails with an error that says so rather than with Akka's
/// mailbox-mapping error.
/// </summary>
public sealed class RendezvousMailbox : MailboxType, IProducesMessageQueue<RendezvousQueue>
{
    /// <summary>The mailbox id in HOCON.</summary>
    public const string Id = "m3actors.rendezvous-mailbox";

    /// <summary>Called by Akka with the mailbox's configuration section.</summary>
    public RendezvousMailbox(Settings settings, Config config) : base(settings, config)
    {
    }

    /// <inheritdoc />
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new RendezvousQueue();
}
