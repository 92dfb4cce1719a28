using System.Diagnostics;
using System.Globalization;
using M3Actors.Perf.Cluster;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Wire;

/// <summary>
/// Bytes on the wire per 64-byte IPC message between two node processes (issue #8): the pipelined node set-up of
/// <see cref="Ipc2AcrossNodesPipelined"/> (node 1 a child process with 4 echo servers, node 2 this process with
/// 4 × 100 async clients), counting the TCP payload the kernel sent between the nodes (<see cref="WireMeter"/>)
/// over a fixed number of round trips, less the cluster's heartbeat and gossip rate over a quiet window before.
/// Measured twice on the same two nodes: one client with one call in flight (every frame pays Akka.Remote's
/// envelope), then every client at once (the frames a node has ready share an envelope).
/// </summary>
public static class WireBenchmark
{
    private const int Pairs = 4;

    /// <summary>Runs both measurements; <paramref name="log"/> gets a line per step.</summary>
    public static WireResults Run(WireOptions options, Action<string> log)
    {
        log($"wire: {options}");
        using var nodes = TwoNodeVm.Start(Pairs, clients: Pairs * Ipc2AcrossNodesPipelined.InFlight);
        var ports = nodes.Ports;
        var clients = nodes.Clients;
        // One call of every client first: the JIT, the nodes' connection and node 1's view of every client are
        // then behind us, so the runs count the calls' frames and the cluster's steady traffic only.
        RunCalls(clients, 1);
        var single = Measure(WireLoad.OneInFlight, 1, options.OneInFlightRoundTrips, ports, options.QuietWindow,
            () => RunCalls(clients[..1], options.OneInFlightRoundTrips));
        log(Describe(single));
        var pipelined = Measure(WireLoad.Pipelined, clients.Length,
            clients.Length * options.PipelinedRoundTripsPerClient, ports, options.QuietWindow,
            () => RunCalls(clients, options.PipelinedRoundTripsPerClient));
        log(Describe(pipelined));
        return new WireResults([single, pipelined]);
    }

    /// <summary>"pipelined (400 in flight): 64.2 B per 64-byte message over 80000 messages (raw 64.9, …)".</summary>
    public static string Describe(WireReading r) => string.Create(CultureInfo.InvariantCulture,
        $"{Name(r.Load)}, {r.InFlight} in flight: {r.BytesPerMessage:0.0} B per 64-byte message over {r.Messages} " +
        $"messages (raw {r.RawBytesPerMessage:0.0}, background {r.BackgroundBytesPerSecond:0} B/s " +
        $"over {r.Seconds:0.00} s)");

    /// <summary>The load's name in reports and spec lines.</summary>
    public static string Name(WireLoad load) => load switch
    {
        WireLoad.OneInFlight => "single client",
        WireLoad.Pipelined => "pipelined",
        _ => throw new ArgumentOutOfRangeException(nameof(load), load, null),
    };

    private static WireReading Measure(WireLoad load, int inFlight, int roundTrips, int[] ports, TimeSpan quietWindow,
        Action run)
    {
        var idle = WireMeter.BytesSent(ports);
        var quiet = Stopwatch.StartNew();
        Thread.Sleep(quietWindow); // a measuring window for the background rate, not synchronisation
        var background = (WireMeter.BytesSent(ports) - idle) / quiet.Elapsed.TotalSeconds;
        var before = WireMeter.BytesSent(ports);
        var clock = Stopwatch.StartNew();
        run();
        var seconds = clock.Elapsed.TotalSeconds;
        return new WireReading(load, inFlight, roundTrips, WireMeter.BytesSent(ports) - before, seconds, background);
    }

    // Every client's calls to its pair's server (client c to server c mod 4), as the pipelined benchmark makes them;
    // the first failure ends the run, and a run past M3Host.Timeout throws TimeoutException.
    private static void RunCalls(EndpointHandle[] clients, int roundTrips)
    {
        var calls = new Task[clients.Length];
        for (var c = 0; c < calls.Length; c++)
            calls[c] = Ipc2AcrossNodesPipelined.Loop(clients[c], Endpoint.System(c % Pairs), roundTrips);
        Task.WhenAll(calls).WaitAsync(M3Host.Timeout).GetAwaiter().GetResult();
    }
}
