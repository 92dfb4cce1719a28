namespace M3Actors.Smp;

/// <summary>
/// The <c>affinity-static</c>, <c>affinity-dynamic</c> and <c>asymmetric</c> policies: one run queue per vCPU, an actor's
/// runs go to the queue of its current vCPU; with stealing on, an idle vCPU takes work queued on a busy one.
/// </summary>
internal sealed class PerVcpuRunQueues(Vcpu[] vcpus, bool steal) : RunQueues(vcpus)
{
    public override void Enqueue(in WorkItem item)
    {
        var target = item.Slot.Vcpu;
        target.Queue.Enqueue(item);
        // Queued on our own vCPU without stealing: it is running (this code) and takes its queue before parking.
        if (!steal && ReferenceEquals(target, Vcpu.Current)) return;
        // Full fence: pairs with the parking vCPU's Exchange(Parked) followed by its re-check of the queues, and
        // with a taker's Exchange(Running) followed by AfterTake.
        Interlocked.MemoryBarrier();
        if (target.WakeIfParked() || !steal) return;
        // A spinning target looks at its queue itself (and AfterTake wakes a thief if it then runs something else).
        if (target.State == VcpuState.Running) WakeOneIdle(except: target);
    }

    public override bool TryTake(Vcpu self, out WorkItem item, out Vcpu? victim)
    {
        victim = null;
        if (self.Queue.TryDequeue(out item)) return true;
        if (!steal) return false;
        for (var i = 1; i < Vcpus.Length; i++)
        {
            var other = Vcpus[(self.Id + i) % Vcpus.Length];
            // Only a busy vCPU is robbed: an idle owner takes its own queue sooner than a thief could.
            if (other.State == VcpuState.Running && other.Queue.TryDequeue(out item))
            {
                victim = other;
                return true;
            }
        }
        return false;
    }

    public override void AfterTake(Vcpu self, Vcpu? victim, bool wasIdle)
    {
        // Without stealing only the owner may run what is left, and it is running: nobody to wake.
        if (!steal) return;
        if (wasIdle ? AnyRunningWithWork() : !(victim ?? self).Queue.IsEmpty) WakeOneIdle(except: self);
    }

    public override bool HasWork(Vcpu self)
    {
        if (!self.Queue.IsEmpty) return true;
        if (!steal) return false;
        foreach (var other in Vcpus)
        {
            if (!ReferenceEquals(other, self) && other.State == VcpuState.Running && !other.Queue.IsEmpty) return true;
        }
        return false;
    }

    public override bool HasWaiting(Vcpu vcpu) => !vcpu.Queue.IsEmpty;

    // Work a thief may take: queued on a running vCPU (this one included, as it now runs).
    private bool AnyRunningWithWork()
    {
        foreach (var v in Vcpus)
        {
            if (v.State == VcpuState.Running && !v.Queue.IsEmpty) return true;
        }
        return false;
    }
}
