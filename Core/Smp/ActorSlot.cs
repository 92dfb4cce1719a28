namespace M3Actors.Smp;

/// <summary>Per-actor scheduling state, one per mailbox attached to a <see cref="VcpuDispatcher"/>.</summary>
internal sealed class ActorSlot(int vcpu, string path)
{
    /// <summary>The actor's path without address (what /proc shows as the endpoint's owner).</summary>
    public string Path { get; } = path;

    private int _current = vcpu;

    /// <summary>The actor's vCPU: its run queue under the affinity policies, the vCPU that ran it last under symmetric.</summary>
    public int Current
    {
        get => Volatile.Read(ref _current);
        // Only the vCPU that is about to run the mailbox writes this, and a mailbox runs on one vCPU at a time.
        set => Volatile.Write(ref _current, value);
    }
}
