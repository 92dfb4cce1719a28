using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// IPC2 actor↔actor: the client actor's sendrec suspends it; the server takes the request in its implicit receive
/// and replies to <c>m.Source</c>; the reply arrives in the client's OnReply, which issues the next sendrec.
/// </summary>
[ReportAs("M3Actors actor", "IPC2")]
public class Ipc2Actor : ActorPairs
{
    /// <inheritdoc />
    protected override string VmName => "ipc2";

    /// <inheritdoc />
    protected override Props ServerProps(int slot, RoundSignal signal) => ReplyServer.Props(slot, signal);

    /// <inheritdoc />
    protected override Props ClientProps(int slot, Endpoint server, RoundSignal signal) => SendRecClient.Props(slot, server, signal);

    /// <summary>One operation is one sendrec round trip (request + reply).</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendRec() => RunRound();
}
