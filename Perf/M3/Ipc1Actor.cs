using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// IPC1 actor↔actor: the client sends to the server (taken by the server's implicit receive ANY), then narrows its
/// own implicit receive to the server; the server sends the message back (at once when the client already waits,
/// else it is suspended until the client's receive takes it).
/// </summary>
[ReportAs("M3Actors actor", "IPC1")]
public class Ipc1Actor : ActorPairs
{
    /// <inheritdoc />
    protected override string VmName => "ipc1";

    /// <inheritdoc />
    protected override Props ServerProps(int slot, RoundSignal signal) => EchoSendServer.Props(slot, signal);

    /// <inheritdoc />
    protected override Props ClientProps(int slot, Endpoint server, RoundSignal signal) => SendReceiveClient.Props(slot, server, signal);

    /// <summary>One operation is one round trip: the client's send and the server's send back.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendReceive() => RunRound();
}
