using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// The busy-spin ring: both sides spin on a cache line of a shared mapping, the upper bound of any cross-process IPC
/// here. One pair only: two spinners already fill this machine's two cores, and more would measure the scheduler,
/// not the memory.
/// </summary>
[ReportAs("Shared-memory ring, busy spin", "IPC2")]
public class SpinRingPingPong : RingPingPong
{
    /// <inheritdoc />
    [Params(1)]
    public override int Pairs { get; set; }

    /// <inheritdoc />
    protected override RingWait Wait => RingWait.Spin;
}
