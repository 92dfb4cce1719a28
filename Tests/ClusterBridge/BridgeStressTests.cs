using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// Bounded load across two nodes: clients on node 2 (blocking threads, async tasks, actors) sendrec to checking
/// servers on node 1 with a sequence number and checksum in every message. Nothing may be lost, duplicated,
/// reordered or corrupted on the way through ghosts, proxies and frames.
/// </summary>
public sealed class BridgeStressTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const int Pairs = 4;
    private const int PerPair = 2_000;
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 180_000)]
    public async Task Four_pairs_of_sendrec_across_nodes_lose_duplicate_and_corrupt_nothing()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, Output);
        var servers = Enumerable.Range(0, Pairs)
            .Select(p => nodes[1].ActorOf(Props.Create(() => new CheckingServer(2 + p)), $"server{p}")).ToList();
        for (var p = 0; p < Pairs; p++) await nodes[2].WhenBoundAsync(2 + p, Patience);
        var errors = new ConcurrentQueue<string>();
        var watch = Stopwatch.StartNew();
        var clients = new List<Task<long>>();
        for (var p = 0; p < 2; p++)
        {
            var (pair, handle) = (p, nodes[2].Bind());
            clients.Add(Task.Factory.StartNew(() =>
            {
                using (handle) return Blocking(handle, pair, errors);
            }, TaskCreationOptions.LongRunning));
        }
        var (asyncPair, asyncHandle) = (2, nodes[2].Bind());
        clients.Add(Task.Run(async () =>
        {
            using (asyncHandle) return await AsyncClient(asyncHandle, asyncPair, errors);
        }));
        var actorDone = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        nodes[2].ActorOf(Props.Create(() => new LoopingClient(3, PerPair, actorDone, errors)), "client3");
        clients.Add(actorDone.Task);

        var completed = await Task.WhenAll(clients).WaitAsync(TimeSpan.FromMinutes(2));
        Output.WriteLine($"{Pairs} pairs x {PerPair} sendrec across nodes: {watch.Elapsed.TotalSeconds:F1} s " +
                         $"({Pairs * PerPair / watch.Elapsed.TotalSeconds:F0} round trips/s)");
        Assert.Empty(errors);
        Assert.All(completed, n => Assert.Equal(PerPair, n));
        foreach (var server in servers)
        {
            var report = await server.Ask<CheckingServer.Report>(new CheckingServer.GetReport(), Patience);
            Assert.Equal((PerPair, 0L, 0L), (report.Served, report.OutOfOrder, report.BadChecksums));
        }
    }

    private static long Blocking(EndpointHandle handle, int pair, ConcurrentQueue<string> errors)
    {
        var server = Endpoint.System(2 + pair);
        for (long seq = 0; seq < PerPair; seq++)
        {
            var m = StressTests.Request(pair, seq);
            var status = handle.SendRec(server, ref m, Patience);
            if (status != IpcStatus.Ok) return Failed(errors, pair, seq, status);
            if (StressTests.CheckReply(in m, server, pair, seq) is { } why) errors.Enqueue($"pair {pair}: {why}");
        }
        return PerPair;
    }

    private static async Task<long> AsyncClient(EndpointHandle handle, int pair, ConcurrentQueue<string> errors)
    {
        var server = Endpoint.System(2 + pair);
        for (long seq = 0; seq < PerPair; seq++)
        {
            var result = await handle.SendRecAsync(server, StressTests.Request(pair, seq));
            if (result.Status != IpcStatus.Ok) return Failed(errors, pair, seq, result.Status);
            var reply = result.Message;
            if (StressTests.CheckReply(in reply, server, pair, seq) is { } why) errors.Enqueue($"pair {pair}: {why}");
        }
        return PerPair;
    }

    private static long Failed(ConcurrentQueue<string> errors, int pair, long seq, IpcStatus status)
    {
        errors.Enqueue($"pair {pair} seq {seq}: {status}");
        return seq;
    }

    /// <summary>Replies type + 1000 with the complement of the checksum; counts per client what was out of order.</summary>
    private sealed class CheckingServer(int slot) : EndpointActor(slot)
    {
        public sealed record GetReport;

        public sealed record Report(long Served, long OutOfOrder, long BadChecksums);

        private readonly Dictionary<Endpoint, long> _next = [];
        private long _served, _outOfOrder, _bad;

        protected override void OnMessage(in Message m)
        {
            var (pair, seq) = (m.GetInt(0), m.GetLong(1));
            if (m.GetLong(2) != StressTests.Checksum(pair, seq)) _bad++;
            if (seq != _next.GetValueOrDefault(m.Source)) _outOfOrder++;
            _next[m.Source] = seq + 1;
            _served++;
            var reply = m;
            reply.Type = m.Type + 1000;
            reply.SetLong(3, ~m.GetLong(2));
            if (Reply(m.Source, in reply) != IpcStatus.Ok) _bad++;
        }

        protected override void OnCommand(object message)
        {
            if (message is GetReport) Sender.Tell(new Report(_served, _outOfOrder, _bad));
            else Unhandled(message);
        }
    }

    /// <summary>An actor client: each reply triggers the next sendrec.</summary>
    private sealed class LoopingClient(int pair, long count, TaskCompletionSource<long> done, ConcurrentQueue<string> errors)
        : EndpointActor
    {
        private readonly Endpoint _server = Endpoint.System(2 + pair);
        private long _seq;

        protected override void PreStart()
        {
            base.PreStart();
            Self.Tell("go");
        }

        protected override void OnMessage(in Message m)
        {
        }

        protected override void OnCommand(object message) => Next();

        protected override void OnReply(IpcStatus status, in Message reply)
        {
            if (status != IpcStatus.Ok)
            {
                done.TrySetResult(Failed(errors, pair, _seq, status));
                return;
            }
            if (StressTests.CheckReply(in reply, _server, pair, _seq) is { } why) errors.Enqueue($"pair {pair}: {why}");
            if (++_seq == count) done.TrySetResult(_seq);
            else Next();
        }

        private void Next()
        {
            var status = SendRec(_server, StressTests.Request(pair, _seq));
            if (status != IpcStatus.Suspended) done.TrySetResult(Failed(errors, pair, _seq, status));
        }
    }
}
