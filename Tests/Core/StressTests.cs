using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Bounded load: client/server pairs doing sendrec with a checksum and sequence number per message.</summary>
public sealed class StressTests(ITestOutputHelper output) : IpcTestKit(output)
{
    private const int Pairs = 8;
    private const int PerPair = 50_000;

    internal static long Checksum(int pair, long seq) => unchecked((seq * 0x1E3779B97F4A7C15L) ^ (pair * 0x5DEECE66DL) ^ 0x2545F4914F6CDD1DL);

    internal static Message Request(int pair, long seq)
    {
        var m = new Message(1000 + pair);
        m.SetInt(0, pair);
        m.SetLong(1, seq);
        m.SetLong(2, Checksum(pair, seq));
        return m;
    }

    /// <summary>Null when the reply matches the request; else what was wrong.</summary>
    internal static string? CheckReply(in Message reply, Endpoint server, int pair, long seq)
    {
        if (reply.Source != server) return $"reply from {reply.Source}, expected {server}";
        if (reply.Type != 2000 + pair) return $"reply type {reply.Type}";
        if (reply.GetLong(1) != seq) return $"reply seq {reply.GetLong(1)}, expected {seq}";
        if (reply.GetLong(3) != ~Checksum(pair, seq)) return $"reply checksum mismatch at seq {seq}";
        return null;
    }

    [Fact(Timeout = 240_000)]
    public async Task Eight_pairs_of_50k_sendrec_lose_nothing()
    {
        var servers = new IActorRef[Pairs];
        for (var p = 0; p < Pairs; p++)
        {
            var slot = 2 + p;
            servers[p] = Vm.ActorOf(Props.Create(() => new CheckingServer(slot)), $"server{p}");
        }
        for (var p = 0; p < Pairs; p++) await AwaitBound(Endpoint.System(2 + p));
        var errors = new ConcurrentQueue<string>();
        var watch = Stopwatch.StartNew();
        var clients = new List<Task<long>>();
        // pairs 0-3: blocking sendrec on dedicated threads; 4-5: SendRecAsync tasks; 6-7: actor clients.
        for (var p = 0; p < 4; p++)
        {
            var pair = p;
            var handle = Vm.Bind();
            clients.Add(OnThread(() =>
            {
                using (handle) return BlockingClient(handle, pair, errors);
            }));
        }
        for (var p = 4; p < 6; p++)
        {
            var pair = p;
            var handle = Vm.Bind();
            clients.Add(Task.Run(async () =>
            {
                using (handle) return await AsyncClient(handle, pair, errors);
            }));
        }
        var actorDone = new TaskCompletionSource<long>[2];
        for (var p = 6; p < 8; p++)
        {
            var tcs = actorDone[p - 6] = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var pair = p;
            Vm.ActorOf(Props.Create(() => new LoopingClient(pair, PerPair, tcs, errors)), $"client{p}");
            clients.Add(tcs.Task);
        }
        var completed = await Task.WhenAll(clients).WaitAsync(TimeSpan.FromMinutes(3));
        watch.Stop();
        Output?.WriteLine($"{Pairs} pairs x {PerPair} sendrec: {watch.Elapsed.TotalSeconds:F1} s " +
                          $"({Pairs * PerPair / watch.Elapsed.TotalSeconds:F0} round trips/s)");
        Assert.Empty(errors);
        Assert.All(completed, n => Assert.Equal(PerPair, n));
        for (var p = 0; p < Pairs; p++)
        {
            var report = await servers[p].Ask<CheckingServer.Report>(new CheckingServer.GetReport(), Patience);
            Assert.Equal(PerPair, report.Served);
            Assert.Equal(0, report.OutOfOrder);
            Assert.Equal(0, report.BadChecksums);
        }
    }

    private static long BlockingClient(EndpointHandle handle, int pair, ConcurrentQueue<string> errors)
    {
        var server = Endpoint.System(2 + pair);
        long done = 0;
        for (long seq = 0; seq < PerPair; seq++)
        {
            var m = Request(pair, seq);
            var status = handle.SendRec(server, ref m, TimeSpan.FromSeconds(30));
            if (status != IpcStatus.Ok) { errors.Enqueue($"pair {pair} seq {seq}: {status}"); return done; }
            if (CheckReply(in m, server, pair, seq) is { } why) errors.Enqueue($"pair {pair}: {why}");
            done++;
        }
        return done;
    }

    private static async Task<long> AsyncClient(EndpointHandle handle, int pair, ConcurrentQueue<string> errors)
    {
        var server = Endpoint.System(2 + pair);
        long done = 0;
        for (long seq = 0; seq < PerPair; seq++)
        {
            var result = await handle.SendRecAsync(server, Request(pair, seq));
            if (result.Status != IpcStatus.Ok) { errors.Enqueue($"pair {pair} seq {seq}: {result.Status}"); return done; }
            var reply = result.Message;
            if (CheckReply(in reply, server, pair, seq) is { } why) errors.Enqueue($"pair {pair}: {why}");
            done++;
        }
        return done;
    }

    /// <summary>Replies type + 1000 with the complement of the checksum; counts what it saw per client.</summary>
    private sealed class CheckingServer(int slot) : EndpointActor(slot)
    {
        public sealed record GetReport;
        public sealed record Report(long Served, long OutOfOrder, long BadChecksums);

        private readonly Dictionary<Endpoint, long> _next = new();
        private long _served, _outOfOrder, _bad;

        protected override void OnMessage(in Message m)
        {
            if (m.IsNotify) return;
            var pair = m.GetInt(0);
            var seq = m.GetLong(1);
            if (m.GetLong(2) != Checksum(pair, seq)) _bad++;
            _next.TryGetValue(m.Source, out var expected);
            if (seq != expected) _outOfOrder++;
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
    private sealed class LoopingClient(int pair, long count, TaskCompletionSource<long> done, ConcurrentQueue<string> errors) : EndpointActor
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
                errors.Enqueue($"pair {pair} seq {_seq}: {status}");
                done.TrySetResult(_seq);
                return;
            }
            if (CheckReply(in reply, _server, pair, _seq) is { } why) errors.Enqueue($"pair {pair}: {why}");
            _seq++;
            if (_seq == count) done.TrySetResult(_seq);
            else Next();
        }

        private void Next()
        {
            var status = SendRec(_server, Request(pair, _seq));
            if (status == IpcStatus.Suspended) return;
            errors.Enqueue($"pair {pair} seq {_seq}: {status}");
            done.TrySetResult(_seq);
        }
    }
}
