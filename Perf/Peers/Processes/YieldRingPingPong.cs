using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// The yield ring: both sides check a word of a shared mapping and give the core up (<c>sched_yield</c>) between
/// checks — never asleep, yet the other runnable threads run: the reference for waiting without a wake-up when
/// threads outnumber cores.
/// </summary>
[ReportAs("Shared-memory ring, yield", "IPC2")]
public class YieldRingPingPong : RingPingPong
{
    /// <inheritdoc />
    [Params(1, 4)]
    public override int Pairs { get; set; }

    /// <inheritdoc />
    protected override RingWait Wait => RingWait.Yield;
}
