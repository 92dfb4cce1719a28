namespace M3Actors.Kernel;

/// <summary>
/// The /proc view of one VM's kernel (in a shared region: every process's endpoints, from the records), one slot's
/// section at a time: a snapshot need not be globally atomic (each proc's entry is consistent in itself), and it
/// never stops pairs of endpoints while it runs.
/// </summary>
internal sealed partial class IpcKernel
{
    internal VmSnapshot Snapshot(int id, string name, IReadOnlySet<int> nodes, bool running)
    {
        var procs = new List<ProcSnapshot>();
        long messages = 0, notifications = 0, copies = 0, bytesCopied = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            using (_locks.Enter(slot))
            {
                var counters = _locks[slot];
                messages += counters.Messages;
                notifications += counters.Notifications;
                copies += counters.Copies;
                bytesCopied += counters.BytesCopied;
                if (_slots.Resolve(slot) is not { Bound: true } p) continue;
                AssertInvariants(p);
                AssertQueueIsDerivable(p);
                var queued = new List<Endpoint>();
                for (var s = p.QueueHead; s is not null; s = s.NextInQueue) queued.Add(s.Ep);
                var ghost = p.Port as IGhostPort;        // a ghost's owner name may arrive after the ghost
                procs.Add(new ProcSnapshot(p.Slot, p.Ep, ghost?.Owner ?? p.Owner, p.Kind, StateOf(p), p.SendTo,
                    p.GetFrom, queued, p.CountPendingNotifies(), p.Sent, p.Received, p.Buffers.Count)
                {
                    ProcessId = _slots.ProcessIdOf(p),
                    Node = ghost?.NodeId,
                });
            }
        }
        return new VmSnapshot(id, name, nodes, running, messages, notifications, copies, bytesCopied, procs);
    }

    private static string StateOf(Proc p) => p switch
    {
        { IsSending: true, IsReplyPending: true } => $"SENDREC sending to {p.SendTo}",
        { IsReceiving: true, IsReplyPending: true } => $"SENDREC waiting for {p.GetFrom}",
        { IsSending: true } => $"SENDING to {p.SendTo}",
        { IsReceiving: true } when (p.Flags & ProcFlags.IdleReceive) != 0 => $"RECEIVING from {p.GetFrom} (idle)",
        { IsReceiving: true } => $"RECEIVING from {p.GetFrom}",
        { HasOutcome: true } => "READY",
        _ => "RUNNING",
    };
}
