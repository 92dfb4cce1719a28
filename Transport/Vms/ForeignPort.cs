using M3Actors.Kernel;
using M3Actors.Transport.Native;
using M3Actors.Transport.Processes;

namespace M3Actors.Transport;

/// <summary>
/// The port of an endpoint another process owns. A thread owner blocked in a call is completed on its record's own
/// futex word (<see cref="RecordWait"/>); any other wake is a request bit in the endpoint's record, a bump of the
/// slot's group in the owner process's <see cref="WakeSummary"/>, a bump of its wake word and, when its wake thread
/// is parked, one futex wake. Nothing allocates: a wake costs a few atomic operations and at most one system call
/// on the waker's side.
/// </summary>
internal sealed unsafe class ForeignPort(
    KernelRegion region, ProcessTable processes, WakeSummary summary, int slot, int processIndex) : IEndpointPort
{
    /// <summary>The owner's entry in the process table.</summary>
    internal int ProcessIndex => processIndex;

    /// <inheritdoc />
    public void Completed()
    {
        if (!RecordWait.TrySignal(ref region.Record(slot)->OwnerWait)) Wake(SlotRecord.WakeCompleted);
    }

    /// <inheritdoc />
    public void Pending()
    {
        // A thread owner finds waiting work on its next receive (as ThreadPort.Pending): nothing to wake.
        if (region.Record(slot)->Kind != OwnerKind.Thread) Wake(SlotRecord.WakePending);
    }

    private void Wake(int request)
    {
        Interlocked.Or(ref region.Record(slot)->WakeRequests, request);
        summary.Mark(processIndex, slot);
        ref var sequence = ref processes.WakeSequenceOf(processIndex);
        // The increment is a full fence: a wake thread that set its parked flag and then found the sequence
        // unchanged is parked before this reads the flag, so it is woken; one that did not park rescans anyway.
        Interlocked.Increment(ref sequence);
        if (Volatile.Read(ref processes.WakeParkedOf(processIndex)) != 0) Futex.Wake(ref sequence, 1);
    }
}
