using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Transport;

/// <summary>IPC1 actor↔actor between two processes: a <see cref="SendReceiveClient"/> here sends and receives from
/// an <see cref="EchoSendServer"/> in the child, which sends each message back.</summary>
[ReportAs("M3Actors actor, 2 processes", "IPC1")]
public class Ipc1ActorsAcross : ActorPairsAcross
{
    /// <inheritdoc />
    [Params(1)]
    public override int Pairs { get; set; }

    /// <inheritdoc />
    protected override CrossProcessPeer.Test Test => CrossProcessPeer.Test.Ipc1;

    /// <inheritdoc />
    protected override Props ClientProps(int slot, Endpoint server, RoundSignal signal) =>
        SendReceiveClient.Props(slot, server, signal);

    /// <summary>One operation is one round trip: the client's send and the server's send back.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendReceive() => RunRound();
}
