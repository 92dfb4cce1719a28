using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// Request/reply of a 64-byte payload with a child process through a <see cref="SpinRing"/>: both sides busy-spin on
/// a cache line of a shared mapping, the upper bound of any cross-process IPC here. One pair only: two spinners
/// already fill this machine's two cores, and more would measure the scheduler, not the memory.
/// </summary>
[ReportAs("Shared-memory ring, busy spin", "IPC2")]
public class SpinRingPingPong
{
    private const int RoundTripsPerInvoke = 20_000;

    private PeerProcess? _peer;
    private SpinRing? _ring;
    private Payload64 _request = Payload64.Pattern();
    private Payload64 _reply;

    /// <summary>Client/echo pairs.</summary>
    [Params(1)]
    public int Pairs { get; set; }

    /// <summary>Creates the ring file, starts the echo child on it, and does one round trip.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var path = ScratchNames.NewPath(ScratchNames.Shm, "ring");
        try
        {
            _ring = SpinRing.Create(path, Pairs);
            _peer = PeerProcess.Start(PeerServer.Ring, $"{path}|{Pairs}");
            _ring.RoundTrips(0, 1, ref _request, ref _reply);
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

    /// <summary>Kills the child and unmaps the ring.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            _peer?.Dispose();
        }
        finally
        {
            _peer = null;
            _ring?.Dispose();
            _ring = null;
        }
    }

    /// <summary>One operation is one round trip through the ring.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => _ring!.RoundTrips(0, RoundTripsPerInvoke, ref _request, ref _reply);
}
