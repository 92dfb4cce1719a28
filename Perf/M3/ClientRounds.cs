using Akka.Actor;

namespace M3Actors.Perf.M3;

/// <summary>
/// The rounds of a frame's client actors, in one process or across two: each round tells every client a reused
/// <see cref="M3Round"/> and waits on the shared <see cref="Signal"/> until each has signalled its last operation,
/// so nothing is in flight afterwards and starting a round allocates nothing per operation.
/// </summary>
public sealed class ClientRounds : IDisposable
{
    private readonly IActorRef[] _clients;
    private readonly Func<string> _describe;
    private M3Round _round = new(1);

    /// <summary>Rounds of <paramref name="clients"/> clients; a stalled round's error carries
    /// <paramref name="describe"/>'s text (the /proc view).</summary>
    public ClientRounds(int clients, Func<string> describe)
    {
        _clients = new IActorRef[clients];
        _describe = describe;
        Signal = new RoundSignal(clients);
    }

    /// <summary>What the clients (and servers) signal at the end of their share, or on a failure.</summary>
    public RoundSignal Signal { get; }

    /// <summary>Client <paramref name="index"/>, bound and ready for rounds.</summary>
    public void Set(int index, IActorRef client) => _clients[index] = client;

    /// <summary>Runs one round of one operation per client (every actor warm), then sizes the rounds to come so the
    /// clients share <paramref name="operations"/> per round.</summary>
    public void Warm(int operations)
    {
        Run();
        _round = new M3Round(operations / _clients.Length);
    }

    /// <summary>One round: every client does its share and signals.</summary>
    public void Run()
    {
        Signal.Reset();
        foreach (var client in _clients)
        {
            client.Tell(_round, ActorRefs.NoSender);
        }
        Signal.Wait(_describe);
    }

    /// <inheritdoc />
    public void Dispose() => Signal.Dispose();
}
