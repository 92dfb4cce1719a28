using M3Actors.Perf.Peers.Processes;

namespace M3Actors.Perf.M3;

/// <summary>
/// The blocking thread clients of the IPC2 thread cases, in one process or across two: pair i's dedicated thread
/// (<see cref="PairThreads"/>; one pair runs on the caller) loops the blocking <c>SendRec</c> from handle i to server
/// i with one reused message, so a round trip allocates nothing. The handles stay the caller's.
/// </summary>
public sealed class SendRecThreads : IDisposable
{
    private readonly EndpointHandle[] _handles;
    private readonly Endpoint[] _servers;
    private readonly Func<string> _describe;
    private readonly PairThreads _threads;

    /// <summary>One client per handle, calling the server of the same index; a failed call's error carries
    /// <paramref name="describe"/>'s text (the /proc view: what the server did when the client gave up).</summary>
    public SendRecThreads(EndpointHandle[] handles, Endpoint[] servers, Func<string> describe)
    {
        (_handles, _servers, _describe) = (handles, servers, describe);
        _threads = new PairThreads(handles.Length, Loop);
    }

    /// <summary>Each pair does <paramref name="roundTripsPerPair"/> round trips; rethrows the first failure.</summary>
    public void Run(int roundTripsPerPair) => _threads.Run(roundTripsPerPair);

    /// <summary>Releases and joins the threads.</summary>
    public void Dispose() => _threads.Dispose();

    private void Loop(int pair, int roundTrips)
    {
        var (handle, server) = (_handles[pair], _servers[pair]);
        var message = new Message(1);
        for (var i = 0; i < roundTrips; i++)
        {
            var status = handle.SendRec(server, ref message, M3Host.Timeout);
            if (status != IpcStatus.Ok)
            {
                throw new IpcException(status, $"SendRec of {handle.Endpoint} to {server} failed: " +
                    $"{handle.LastError ?? status.Describe()}{Environment.NewLine}{_describe()}");
            }
        }
    }
}
