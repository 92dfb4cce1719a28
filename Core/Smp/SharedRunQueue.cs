using System.Collections.Concurrent;

namespace M3Actors.Smp;

/// <summary>The <c>symmetric</c> policy: one run queue that every vCPU takes from.</summary>
internal sealed class SharedRunQueue(Vcpu[] vcpus) : RunQueues(vcpus)
{
    private readonly ConcurrentQueue<WorkItem> _queue = new();

    public override void Enqueue(in WorkItem item)
    {
        _queue.Enqueue(item);
        // Full fence: the parking vCPU publishes Parked then re-reads the queue; we publish the item then read states.
        Interlocked.MemoryBarrier();
        WakeOneIdle(except: null);
    }

    public override bool TryTake(Vcpu self, out WorkItem item, out Vcpu? victim)
    {
        victim = null;
        return _queue.TryDequeue(out item);
    }

    public override void AfterTake(Vcpu self, Vcpu? victim, bool wasIdle)
    {
        if (!_queue.IsEmpty) WakeOneIdle(except: self);
    }

    public override bool HasWork(Vcpu self) => !_queue.IsEmpty;

    public override bool HasWaiting(Vcpu vcpu) => !_queue.IsEmpty;
}
