using Akka.Actor;

namespace M3Actors.Tests.Core;

/// <summary>
/// A scriptable actor endpoint for tests: every command's immediate status goes back to the command's sender as
/// <see cref="Started"/>; every IPC event (message, reply, send outcome, receive error) goes to the probe.
/// </summary>
public sealed class ScriptActor(IActorRef probe, int? slot = null, bool echo = false) : EndpointActor(slot)
{
    public sealed record WhoAmI;
    public sealed record DoSend(Endpoint Dst, Message Message, TimeSpan? Timeout = null);
    public sealed record DoSendRec(Endpoint Dst, Message Message, TimeSpan? Timeout = null);
    public sealed record DoSendNb(Endpoint Dst, Message Message);
    public sealed record DoNotify(Endpoint Dst);
    public sealed record DoReply(Endpoint Dst, Message Message);
    public sealed record DoReceiveFrom(Endpoint Source);
    public sealed record DoRequestsOnly;
    public sealed record DoCrash;

    /// <summary>The immediate status of a command.</summary>
    public sealed record Started(IpcStatus Status);
    /// <summary>An IPC message taken by the implicit receive.</summary>
    public sealed record Got(Endpoint By, Message Message);
    public sealed record Replied(Endpoint By, IpcStatus Status, Message Message);
    public sealed record SendDone(Endpoint By, IpcStatus Status);
    public sealed record ReceiveError(Endpoint By, IpcStatus Status);

    protected override void OnMessage(in Message m)
    {
        probe.Tell(new Got(Endpoint, m));
        if (!echo || m.IsNotify) return;
        var reply = m;
        reply.Type = m.Type + 1;
        if (Reply(m.Source, in reply) != IpcStatus.Ok) SendNb(m.Source, in reply);
    }

    protected override void OnReply(IpcStatus status, in Message reply) => probe.Tell(new Replied(Endpoint, status, reply));

    protected override void OnSendDone(IpcStatus status) => probe.Tell(new SendDone(Endpoint, status));

    protected override void OnReceiveError(IpcStatus status) => probe.Tell(new ReceiveError(Endpoint, status));

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case WhoAmI: Sender.Tell(Endpoint); break;
            case DoSend c: Sender.Tell(new Started(c.Timeout is { } t ? Send(c.Dst, c.Message, t) : Send(c.Dst, c.Message))); break;
            case DoSendRec c: Sender.Tell(new Started(c.Timeout is { } u ? SendRec(c.Dst, c.Message, u) : SendRec(c.Dst, c.Message))); break;
            case DoSendNb c: Sender.Tell(new Started(SendNb(c.Dst, c.Message))); break;
            case DoNotify c: Sender.Tell(new Started(Notify(c.Dst))); break;
            case DoReply c: Sender.Tell(new Started(Reply(c.Dst, c.Message))); break;
            case DoReceiveFrom c:
                ReceiveFrom(c.Source);
                Sender.Tell(new Started(IpcStatus.Ok));
                break;
            case DoRequestsOnly:
                ReceiveRequestsOnly();
                Sender.Tell(new Started(IpcStatus.Ok));
                break;
            case DoCrash: throw new InvalidOperationException("crash requested by the test");
            default: Unhandled(message); break;
        }
    }
}
