using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// Request/reply of a 64-byte payload with a child process through a <see cref="SharedRing"/>, one ring line per
/// pair, each pair on its own thread (<see cref="PairThreads"/>). Subclasses choose how both sides wait.
/// </summary>
public abstract class RingPingPong
{
    private const int RoundTripsPerInvoke = 20_000;

    private PeerProcess? _peer;
    private SharedRing? _ring;
    private PairThreads? _threads;
    private Payload64[] _requests = [];
    private Payload64[] _replies = [];

    /// <summary>Client/echo pairs running at once.</summary>
    public abstract int Pairs { get; set; }

    /// <summary>How both sides wait for the other.</summary>
    protected abstract RingWait Wait { get; }

    /// <summary>Creates the ring file, starts the echo child on it, and does one round trip per pair.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var path = ScratchNames.NewPath(ScratchNames.Shm, "ring");
        try
        {
            _ring = SharedRing.Create(path, Pairs, Wait);
            _peer = PeerProcess.Start(PeerServer.Ring, $"{path}|{Pairs}|{Wait}");
            _requests = Enumerable.Range(0, Pairs).Select(_ => Payload64.Pattern()).ToArray();
            _replies = new Payload64[Pairs];
            _threads = new PairThreads(Pairs, (pair, count) =>
                _ring.RoundTrips(pair, count, ref _requests[pair], ref _replies[pair]));
            _threads.Run(1);
        }
        catch
        {
            Cleanup();
            throw;
        }
        finally
        {
            // Both processes hold the mapping now (or the setup failed): the name is no longer needed.
            File.Delete(path);
        }
    }

    /// <summary>Stops the pair threads, kills the child and unmaps the ring.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            _threads?.Dispose();
            _peer?.Dispose();
        }
        finally
        {
            _threads = null;
            _peer = null;
            _ring?.Dispose();
            _ring = null;
        }
    }

    /// <summary>One operation is one round trip through the ring; each pair does its share.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => _threads!.Run(RoundTripsPerInvoke / Pairs);
}
