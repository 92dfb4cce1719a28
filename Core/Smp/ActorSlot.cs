namespace M3Actors.Smp;

/// <summary>Per-actor scheduling state, one per mailbox attached to a <see cref="VcpuDispatcher"/>.</summary>
internal sealed class ActorSlot(Vcpu vcpu, string path)
{
    /// <summary>The actor's path without address (what /proc shows as the endpoint's owner).</summary>
    public string Path { get; } = path;

    private Vcpu _vcpu = vcpu;

    /// <summary>
    /// The actor's vCPU: its run queue under the affinity policies, the vCPU that ran it last under symmetric. A
    /// reference rather than an index, so the hot path reaches the vCPU's counters without an array lookup.
    /// </summary>
    public Vcpu Vcpu
    {
        get => Volatile.Read(ref _vcpu);
        // Only the vCPU that is about to run the mailbox writes this, and a mailbox runs on one vCPU at a time.
        set => Volatile.Write(ref _vcpu, value);
    }

    /// <summary>The id of <see cref="Vcpu"/>.</summary>
    public int Current => Vcpu.Id;

    /// <summary>
    /// Counts one IPC primitive call of the actor's handler on its vCPU. The handler runs on that vCPU's thread (its
    /// runs are taken or handed over there only), so this is the vCPU's single writer, reached without the
    /// thread-static read <see cref="Vcpu.Current"/> costs.
    /// </summary>
    public void CountKernelEntry() => Vcpu.AddKernelEntry();

    /// <summary>Counts one IPC message handed to the actor's handler, as <see cref="CountKernelEntry"/>.</summary>
    public void CountDelivery() => Vcpu.AddDelivery();
}
