namespace M3Actors.Smp;

/// <summary>The run queues of one dispatcher; a policy decides where work is queued and who may take it.</summary>
internal abstract class RunQueues(Vcpu[] vcpus, PlacementRules rules)
{
    protected Vcpu[] Vcpus { get; } = vcpus;

    protected PlacementRules Rules { get; } = rules;

    /// <summary>Queues a run; any thread. Wakes a vCPU when needed so the item cannot be stranded.</summary>
    public abstract void Enqueue(in WorkItem item);

    /// <summary>Takes the next item for <paramref name="self"/>; only <paramref name="self"/>'s thread calls it.</summary>
    public abstract bool TryTake(Vcpu self, out WorkItem item, out bool stolen);

    /// <summary>Whether <see cref="TryTake"/> could find something for <paramref name="self"/> (the re-check before parking).</summary>
    public abstract bool HasWork(Vcpu self);

    /// <summary>Wakes one parked vCPU in [first, first + count) unless one there is already spinning (and will look itself).</summary>
    protected void WakeOneIdle(int first, int count, Vcpu? except)
    {
        Vcpu? parked = null;
        for (var i = first; i < first + count; i++)
        {
            var v = Vcpus[i];
            if (ReferenceEquals(v, except)) continue;
            var state = v.State;
            if (state == VcpuState.Spinning) return;
            if (state == VcpuState.Parked) parked ??= v;
        }
        parked?.WakeIfParked();
    }
}
