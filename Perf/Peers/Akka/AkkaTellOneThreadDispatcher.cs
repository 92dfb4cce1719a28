using System.Text;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>
/// Tell ping-pong with both actors of a pair on one dedicated thread (a one-thread ForkJoinDispatcher per pair):
/// the hand-off never crosses threads, the co-located case that was fastest in-process on this machine.
/// </summary>
[ReportAs("Akka.NET Tell, 1-thread dispatcher", "IPC2")]
public class AkkaTellOneThreadDispatcher : AkkaTellPingPong
{
    /// <inheritdoc />
    protected override string DispatcherHocon(int pairs)
    {
        var hocon = new StringBuilder();
        for (var pair = 0; pair < pairs; pair++)
        {
            hocon.AppendLine($$"""
                {{DispatcherFor(pair)}} {
                  type = ForkJoinDispatcher
                  dedicated-thread-pool { thread-count = 1, threadtype = background }
                }
                """);
        }
        return hocon.ToString();
    }

    /// <inheritdoc />
    protected override string? DispatcherFor(int pair) => $"perf-pair-{pair}-thread";
}
