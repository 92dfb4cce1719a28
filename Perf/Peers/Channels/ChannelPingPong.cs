using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.Peers.Channels;

/// <summary>
/// Request/reply between two tasks over a pair of <see cref="Channel{T}"/>s per client/server pair: the client
/// writes a <see cref="Payload64"/> request and awaits the reply the server task writes back. Subclasses choose the
/// channel kind, so every channel peer measures the same loop.
/// </summary>
public abstract class ChannelPingPong
{
    private const int RoundTripsPerInvoke = 20_000;

    private Channel<Payload64>[] _requests = [];
    private Channel<Payload64>[] _replies = [];
    private Task[] _servers = [];
    private Task[] _clients = [];

    /// <summary>Client/server pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Creates one channel of the kind under test.</summary>
    protected abstract Channel<Payload64> CreateChannel();

    /// <summary>Starts one server task per pair; they live until cleanup completes their request channel.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _requests = Enumerable.Range(0, Pairs).Select(_ => CreateChannel()).ToArray();
        _replies = Enumerable.Range(0, Pairs).Select(_ => CreateChannel()).ToArray();
        _servers = Enumerable.Range(0, Pairs).Select(i => Task.Run(() => Serve(_requests[i].Reader, _replies[i].Writer))).ToArray();
        _clients = new Task[Pairs];
    }

    /// <summary>Completes the request channels and waits for the servers, surfacing any server fault.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var channel in _requests)
        {
            channel.Writer.Complete();
        }
        Task.WaitAll(_servers);
    }

    /// <summary>One operation is one request + reply; each pair does its share of the invoke's round trips.
    /// The invocation returns only when every reply was read, so nothing is in flight between iterations.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips()
    {
        var perPair = RoundTripsPerInvoke / Pairs;
        for (var i = 0; i < Pairs; i++)
        {
            var pair = i;
            _clients[i] = Task.Run(() => Client(_requests[pair].Writer, _replies[pair].Reader, perPair));
        }
        Task.WaitAll(_clients);
    }

    private static async Task Client(ChannelWriter<Payload64> requests, ChannelReader<Payload64> replies, int roundTrips)
    {
        var request = Payload64.Pattern();
        for (var i = 0; i < roundTrips; i++)
        {
            await requests.WriteAsync(request).ConfigureAwait(false);
            request = await replies.ReadAsync().ConfigureAwait(false);
        }
    }

    private static async Task Serve(ChannelReader<Payload64> requests, ChannelWriter<Payload64> replies)
    {
        while (await requests.WaitToReadAsync().ConfigureAwait(false))
        {
            while (requests.TryRead(out var request))
            {
                await replies.WriteAsync(request).ConfigureAwait(false);
            }
        }
    }
}
