using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// The futex ring: both sides park at once on a futex word of a shared mapping and the publisher wakes a parked
/// waiter: one wake and one sleep per direction, no spin — what a purely blocking hand-off between threads of two
/// processes reaches here, the reference for thread endpoints when threads outnumber cores.
/// </summary>
[ReportAs("Shared-memory ring, futex park", "IPC2")]
public class FutexRingPingPong : RingPingPong
{
    /// <inheritdoc />
    [Params(1, 4)]
    public override int Pairs { get; set; }

    /// <inheritdoc />
    protected override RingWait Wait => RingWait.Futex;
}
