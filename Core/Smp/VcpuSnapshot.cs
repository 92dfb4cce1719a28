namespace M3Actors.Smp;

/// <summary>A point-in-time copy of one vCPU's counters (see docs/smp.md for exactly what increments each).</summary>
/// <param name="Vcpu">The vCPU id.</param>
/// <param name="PhysicalCpu">The physical CPU it is pinned to, or -1 when unpinned.</param>
/// <param name="KernelEntries">IPC primitive calls reported through <see cref="Smp.Vcpu.OnKernelEntry"/>.</param>
/// <param name="IpcDeliveries">IPC messages handed to endpoints, reported through <see cref="Smp.Vcpu.OnMessageDelivered"/>.</param>
/// <param name="MailboxRuns">Run-queue items this vCPU took and ran ("scheduler accesses").</param>
/// <param name="Messages">User messages dispatched to actors that were on this vCPU at the time.</param>
/// <param name="Steals">Items this vCPU took from another vCPU's run queue.</param>
/// <param name="Migrations">Times an actor moved to this vCPU (its run happened here while it was on another vCPU).</param>
/// <param name="BusyTime">Time spent running work, as opposed to spinning or parked.</param>
/// <param name="Elapsed">Time since the vCPU was created.</param>
/// <param name="Busy">Whether the vCPU was running work when the snapshot was taken.</param>
/// <param name="Queued">Items waiting in this vCPU's own run queue (always 0 under symmetric).</param>
public sealed record VcpuSnapshot(
    int Vcpu,
    int PhysicalCpu,
    long KernelEntries,
    long IpcDeliveries,
    long MailboxRuns,
    long Messages,
    long Steals,
    long Migrations,
    TimeSpan BusyTime,
    TimeSpan Elapsed,
    bool Busy,
    int Queued)
{
    /// <summary>Busy time as a percentage of <see cref="Elapsed"/> (the vCPU's lifetime, or an interval's length).</summary>
    public double LoadPercent => Elapsed <= TimeSpan.Zero ? 0 : Math.Min(100, 100 * BusyTime / Elapsed);

    /// <summary>
    /// The counters accumulated since <paramref name="earlier"/>, a snapshot of the same vCPU: an experiment's own
    /// counts, with <see cref="LoadPercent"/> over that interval.
    /// </summary>
    public VcpuSnapshot Since(VcpuSnapshot earlier) => this with
    {
        KernelEntries = KernelEntries - earlier.KernelEntries,
        IpcDeliveries = IpcDeliveries - earlier.IpcDeliveries,
        MailboxRuns = MailboxRuns - earlier.MailboxRuns,
        Messages = Messages - earlier.Messages,
        Steals = Steals - earlier.Steals,
        Migrations = Migrations - earlier.Migrations,
        BusyTime = BusyTime - earlier.BusyTime,
        Elapsed = Elapsed - earlier.Elapsed,
    };
}
