using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Transport;

/// <summary>IPC2 actor↔actor between two processes: a <see cref="SendRecClient"/> here, a
/// <see cref="ReplyServer"/> in the child.</summary>
[ReportAs("M3Actors actor, 2 processes", "IPC2")]
public class Ipc2ActorsAcross : ActorPairsAcross
{
    /// <inheritdoc />
    [Params(1, 4)]
    public override int Pairs { get; set; }

    /// <inheritdoc />
    protected override CrossProcessPeer.Test Test => CrossProcessPeer.Test.Ipc2;

    /// <inheritdoc />
    protected override Props ClientProps(int slot, Endpoint server, RoundSignal signal) =>
        SendRecClient.Props(slot, server, signal);

    /// <summary>One operation is one sendrec round trip to the other process.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendRec() => RunRound();
}
