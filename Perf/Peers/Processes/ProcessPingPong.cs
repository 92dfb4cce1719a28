using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// Request/reply with a child process (<see cref="PeerProcess"/>) that echoes 64-byte payloads: one
/// <see cref="StreamLink"/> per pair, each driven by its own thread. Subclasses choose the transport.
/// </summary>
public abstract class ProcessPingPong
{
    private const int RoundTripsPerInvoke = 2_000;

    private PeerProcess? _peer;
    private StreamLink[] _links = [];
    private PairThreads? _threads;

    /// <summary>Client/echo pairs running at once (all served by one child process).</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts the child and opens <paramref name="pairs"/> links to it; on failure it stops the child itself,
    /// since a case whose setup threw may not get its cleanup.</summary>
    protected abstract (PeerProcess Peer, StreamLink[] Links) Open(int pairs);

    /// <summary>Starts the peer and the pair threads, and does one round trip per pair so all are warm.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_peer, _links) = Open(Pairs);
        _threads = new PairThreads(Pairs, (pair, count) => _links[pair].RoundTrips(count));
        _threads.Run(1);
    }

    /// <summary>Closes the links, stops the threads and kills the child, even after a failed case.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _threads?.Dispose();
        _threads = null;
        foreach (var link in _links)
        {
            link.Dispose();
        }
        _links = [];
        _peer?.Dispose();
        _peer = null;
    }

    /// <summary>One operation is one round trip; each pair does its share of the invoke's round trips.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => _threads!.Run(RoundTripsPerInvoke / Pairs);
}
