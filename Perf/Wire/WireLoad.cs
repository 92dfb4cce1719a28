namespace M3Actors.Perf.Wire;

/// <summary>How many calls the wire benchmark keeps in flight.</summary>
public enum WireLoad
{
    /// <summary>One client, one call at a time: every frame pays Akka.Remote's envelope alone.</summary>
    OneInFlight,

    /// <summary>The pipelined node set-up: 4 servers × 100 async clients, the frames ready for the peer node
    /// sharing an envelope.</summary>
    Pipelined,
}
