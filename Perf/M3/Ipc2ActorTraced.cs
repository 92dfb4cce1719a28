using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// IPC2 actor↔actor exactly as <see cref="Ipc2Actor"/>, in a VM whose message trace is switched by HOCON
/// (<c>m3actors.trace.enabled</c>): off, it must run as fast as the plain case (each kernel hook is one volatile
/// read); on, every round trip writes its events (call, delivery, wake, block) into the 4096-event ring, which wraps
/// many times per invocation, as a long-running traced VM does. Run both beside the plain case:
/// <c>--filter '*Ipc2Actor.*' '*Ipc2ActorTrace*'</c> (docs/trace.md).
/// </summary>
public abstract class Ipc2ActorTraced : ActorPairs
{
    /// <summary>Whether the VM records its trace.</summary>
    protected abstract bool Trace { get; }

    /// <inheritdoc />
    protected override string VmHocon => $"m3actors.trace.enabled = {(Trace ? "on" : "off")}";

    /// <inheritdoc />
    protected override Props ServerProps(int slot, RoundSignal signal) => ReplyServer.Props(slot, signal);

    /// <inheritdoc />
    protected override Props ClientProps(int slot, Endpoint server, RoundSignal signal) =>
        SendRecClient.Props(slot, server, signal);

    /// <summary>One operation is one sendrec round trip (request + reply).</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendRec() => RunRound();
}

/// <summary>IPC2 actor↔actor with <c>m3actors.trace.enabled = off</c> (the default, written out).</summary>
[ReportAs("M3Actors actor, trace off", "IPC2")]
public class Ipc2ActorTraceOff : Ipc2ActorTraced
{
    /// <inheritdoc />
    protected override bool Trace => false;

    /// <inheritdoc />
    protected override string VmName => "ipc2-trace-off";
}

/// <summary>IPC2 actor↔actor with <c>m3actors.trace.enabled = on</c>.</summary>
[ReportAs("M3Actors actor, trace on", "IPC2")]
public class Ipc2ActorTraceOn : Ipc2ActorTraced
{
    /// <inheritdoc />
    protected override bool Trace => true;

    /// <inheritdoc />
    protected override string VmName => "ipc2-trace-on";
}
