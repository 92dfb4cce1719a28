using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Transport;

/// <summary>IPC3 actor↔actor between two processes: a <see cref="NotifyClient"/> here notifies a
/// <see cref="NotifyServer"/> in the child, which takes it in its receive ANY and notifies back.</summary>
[ReportAs("M3Actors actor, 2 processes", "IPC3")]
public class Ipc3ActorsAcross : ActorPairsAcross
{
    /// <inheritdoc />
    [Params(1)]
    public override int Pairs { get; set; }

    /// <inheritdoc />
    protected override CrossProcessPeer.Test Test => CrossProcessPeer.Test.Ipc3;

    /// <inheritdoc />
    protected override Props ClientProps(int slot, Endpoint server, RoundSignal signal) =>
        NotifyClient.Props(slot, server, signal);

    /// <summary>One operation is one round trip: the client's notify and the server's notify back.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void Notify() => RunRound();
}
