using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// <see cref="Ipc2Actor"/> with each pair in its own VM: the same actors and round trips, but no kernel lock shared
/// between pairs. Read beside <see cref="Ipc2Actor"/> with 4 pairs: the gap is what the VM's single kernel lock costs
/// when several pairs run at once.
/// </summary>
[ReportAs("M3Actors actor, VM per pair", "IPC2")]
public class Ipc2ActorVmPerPair : Ipc2Actor
{
    /// <inheritdoc />
    protected override bool VmPerPair => true;
}
