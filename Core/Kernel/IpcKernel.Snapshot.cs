namespace M3Actors.Kernel;

/// <summary>The /proc view of one VM's kernel, taken under every stripe so the picture is consistent.</summary>
internal sealed partial class IpcKernel
{
    internal VmSnapshot Snapshot(int id, string name, IReadOnlySet<int> nodes, bool running)
    {
        using (_locks.EnterAll())
        {
            var procs = new List<ProcSnapshot>();
            foreach (var p in _slots)
            {
                if (p is null) continue;
                var queued = new List<Endpoint>();
                for (var s = p.QueueHead; s is not null; s = s.NextInQueue) queued.Add(s.Ep);
                procs.Add(new ProcSnapshot(p.Slot, p.Ep, p.Owner, p.Kind, StateOf(p), p.SendTo, p.GetFrom, queued,
                    p.CountPendingNotifies(), p.Sent, p.Received, p.Buffers.Count));
            }
            var stripes = _locks.All.ToList();
            return new VmSnapshot(id, name, nodes, running, stripes.Sum(s => s.Messages), stripes.Sum(s => s.Notifications),
                stripes.Sum(s => s.Copies), stripes.Sum(s => s.BytesCopied), procs);
        }
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
