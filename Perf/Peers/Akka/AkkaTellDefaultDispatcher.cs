using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>Tell ping-pong with every actor on Akka's default dispatcher (the .NET thread pool).</summary>
[ReportAs("Akka.NET Tell, default dispatcher", "IPC2")]
public class AkkaTellDefaultDispatcher : AkkaTellPingPong
{
    /// <inheritdoc />
    protected override string DispatcherHocon(int pairs) => "";

    /// <inheritdoc />
    protected override string? DispatcherFor(int pair) => null;
}
