using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// IPC3 actor↔actor: the client notifies the server and narrows its implicit receive to the server; the server takes
/// the notification in its implicit receive ANY and notifies the client back.
/// </summary>
[ReportAs("M3Actors actor", "IPC3")]
public class Ipc3Actor : ActorPairs
{
    /// <inheritdoc />
    protected override string VmName => "ipc3";

    /// <inheritdoc />
    protected override Props ServerProps(int slot, RoundSignal signal) => NotifyServer.Props(slot, signal);

    /// <inheritdoc />
    protected override Props ClientProps(int slot, Endpoint server, RoundSignal signal) => NotifyClient.Props(slot, server, signal);

    /// <summary>One operation is one round trip: the client's notify and the server's notify back.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void Notify() => RunRound();
}
