using Akka.Actor;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>Tells a <see cref="Pinger"/> to run this many round trips with its ponger, then signal.</summary>
public sealed record StartRound(int RoundTrips);

/// <summary>
/// Answers every <see cref="Payload64"/> with its own payload. The reply is boxed once per actor so the benchmark
/// measures Akka's messaging, not the boxing of a struct (a careful Akka user would do the same).
/// </summary>
public sealed class Ponger : UntypedActor
{
    private readonly object _reply = Payload64.Pattern();

    /// <summary>Props for a ponger on <paramref name="dispatcher"/> (null: the default dispatcher).</summary>
    public static Props Props(string? dispatcher) =>
        dispatcher is null ? global::Akka.Actor.Props.Create<Ponger>() : global::Akka.Actor.Props.Create<Ponger>().WithDispatcher(dispatcher);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (message is Payload64)
        {
            Sender.Tell(_reply, Self);
        }
        else
        {
            Unhandled(message);
        }
    }
}

/// <summary>
/// Sends a request, waits for the reply, repeats: one Tell ping-pong round trip at a time, then signals
/// <c>done</c>. A round only ends after its last reply, so the system is quiescent between benchmark invocations.
/// </summary>
public sealed class Pinger(IActorRef ponger, CountdownEvent done) : UntypedActor
{
    private readonly object _request = Payload64.Pattern();
    private int _remaining;

    /// <summary>Props for a pinger on <paramref name="dispatcher"/> (null: the default dispatcher).</summary>
    public static Props Props(IActorRef ponger, CountdownEvent done, string? dispatcher)
    {
        var props = global::Akka.Actor.Props.Create(() => new Pinger(ponger, done));
        return dispatcher is null ? props : props.WithDispatcher(dispatcher);
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case StartRound start:
                _remaining = start.RoundTrips;
                ponger.Tell(_request, Self);
                break;
            case Payload64 when --_remaining == 0:
                done.Signal();
                break;
            case Payload64:
                ponger.Tell(_request, Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}
