namespace M3Actors.Smp;

/// <summary>
/// The run queues of one dispatcher; a policy decides where a mailbox run is queued and who may take it. The
/// invariant every policy keeps: no item waits in a queue while a vCPU that may run it stays parked. A producer
/// wakes a vCPU after queueing (<see cref="Enqueue"/>); a vCPU that takes an item wakes another for what is left
/// behind (<see cref="AfterTake"/>), because the item it took may block it for good.
/// </summary>
internal abstract class RunQueues(Vcpu[] vcpus)
{
    protected Vcpu[] Vcpus { get; } = vcpus;

    /// <summary>Queues a run; any thread. Wakes a vCPU when needed so the item cannot be stranded.</summary>
    public abstract void Enqueue(in WorkItem item);

    /// <summary>
    /// Takes the next item for <paramref name="self"/>; only <paramref name="self"/>'s thread calls it.
    /// <paramref name="victim"/> is the vCPU whose queue it came from when it was stolen, else null.
    /// </summary>
    public abstract bool TryTake(Vcpu self, out WorkItem item, out Vcpu? victim);

    /// <summary>
    /// Called by <paramref name="self"/> once it reads as running with the item it took: wakes an idle vCPU if work
    /// another vCPU may run is still queued. <paramref name="wasIdle"/>: <paramref name="self"/> was spinning until
    /// its full fence just now, so a producer may have counted on it to look at every queue it could take from; this
    /// is that look. Otherwise only the queue the item came from can have changed for it.
    /// </summary>
    public abstract void AfterTake(Vcpu self, Vcpu? victim, bool wasIdle);

    /// <summary>Whether <see cref="TryTake"/> could find something for <paramref name="self"/> (the re-check before parking).</summary>
    public abstract bool HasWork(Vcpu self);

    /// <summary>Whether runs are queued that <paramref name="vcpu"/> would take next (what a long run holds up).</summary>
    public abstract bool HasWaiting(Vcpu vcpu);

    /// <summary>
    /// Wakes one parked vCPU other than <paramref name="except"/>, unless one is spinning: a spinning vCPU looks at
    /// the queues before it parks, and if it takes an item instead, its own <see cref="AfterTake"/> looks again.
    /// </summary>
    protected void WakeOneIdle(Vcpu? except)
    {
        Vcpu? parked = null;
        foreach (var v in Vcpus)
        {
            if (ReferenceEquals(v, except)) continue;
            var state = v.State;
            if (state == VcpuState.Spinning) return;
            if (state == VcpuState.Parked) parked ??= v;
        }
        parked?.WakeIfParked();
    }
}
