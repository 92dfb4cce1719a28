using Akka.Actor;

namespace M3Actors.Tests.Core;

/// <summary>Replies to every request with Type + 1 and the same payload.</summary>
public sealed class EchoServer(int? slot = null) : EndpointActor(slot)
{
    protected override void OnMessage(in Message m)
    {
        var reply = m;
        reply.Type = m.Type + 1;
        var status = Reply(m.Source, in reply);
        if (status != IpcStatus.Ok) Send(m.Source, in reply);
    }
}

/// <summary>Does one sendrec when told a target, and reports the reply to whoever asked.</summary>
public sealed class SendRecClient : EndpointActor
{
    private IActorRef _asker = ActorRefs.Nobody;

    public sealed record Go(Endpoint Server, int Type);

    public sealed record Outcome(IpcStatus Status, int Type, Endpoint Source);

    protected override void OnMessage(in Message m)
    {
    }

    protected override void OnCommand(object message)
    {
        if (message is not Go go)
        {
            Unhandled(message);
            return;
        }
        _asker = Sender;
        var status = SendRec(go.Server, new Message(go.Type));
        if (status != IpcStatus.Suspended) _asker.Tell(new Outcome(status, 0, Endpoint.None));
    }

    protected override void OnReply(IpcStatus status, in Message reply) => _asker.Tell(new Outcome(status, reply.Type, reply.Source));
}
