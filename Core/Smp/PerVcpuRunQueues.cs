namespace M3Actors.Smp;

/// <summary>
/// The <c>affinity-static</c>, <c>affinity-dynamic</c> and <c>asymmetric</c> policies: one run queue per vCPU, an actor's
/// runs go to the queue of its current vCPU; with stealing on, an idle vCPU takes work queued on a busy one.
/// </summary>
internal sealed class PerVcpuRunQueues(Vcpu[] vcpus, PlacementRules rules, bool steal) : RunQueues(vcpus, rules)
{
    public override void Enqueue(in WorkItem item)
    {
        var current = Vcpu.Current;
        var target = item.Slot is { } slot
            ? Vcpus[slot.Current]
            : current is not null && InTaskRange(current) ? current : Vcpus[Rules.AssignTask()];
        target.Queue.Enqueue(item);
        // Queued on our own vCPU without stealing: it is running (this code) and takes its queue before parking.
        if (ReferenceEquals(target, current) && !steal) return;
        // Full fence: pairs with the parking vCPU's Exchange(Parked) followed by its re-check of the queues.
        Interlocked.MemoryBarrier();
        if (target.WakeIfParked() || !steal) return;
        if (target.State == VcpuState.Running) WakeOneIdle(0, Vcpus.Length, except: target);
    }

    public override bool TryTake(Vcpu self, out WorkItem item, out bool stolen)
    {
        stolen = false;
        if (self.Queue.TryDequeue(out item)) return true;
        if (!steal) return false;
        for (var i = 1; i < Vcpus.Length; i++)
        {
            var victim = Vcpus[(self.Id + i) % Vcpus.Length];
            // Only a busy vCPU is robbed: an idle owner takes its own queue sooner than a thief could.
            if (victim.State == VcpuState.Running && victim.Queue.TryDequeue(out item))
            {
                stolen = true;
                return true;
            }
        }
        return false;
    }

    public override bool HasWork(Vcpu self)
    {
        if (!self.Queue.IsEmpty) return true;
        if (!steal) return false;
        foreach (var victim in Vcpus)
        {
            if (!ReferenceEquals(victim, self) && victim.State == VcpuState.Running && !victim.Queue.IsEmpty) return true;
        }
        return false;
    }

    private bool InTaskRange(Vcpu vcpu)
    {
        var (first, count) = Rules.RangeOf(VcpuRole.Client);
        return vcpu.Id >= first && vcpu.Id < first + count;
    }
}
