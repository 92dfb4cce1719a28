using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// The ghosts of one VM on this node, by slot. The bridge (from the directory) and the node proxies (for a frame
/// whose caller has no ghost yet) both make and drop ghosts, so every change goes through this table's lock: a slot
/// moving from one node to another is dropped and bound in one order. The kernel never calls back into the table.
/// </summary>
internal sealed class GhostTable(IpcKernel kernel)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, GhostPort> _bySlot = [];

    /// <summary>The ghost for <paramref name="endpoint"/> hosted on <paramref name="link"/>'s node, or null.</summary>
    internal GhostPort? Find(Endpoint endpoint, NodeLink link)
    {
        lock (_gate)
            return _bySlot.TryGetValue(endpoint.Slot, out var g) && g.Proc.Ep == endpoint && g.Link == link ? g : null;
    }

    /// <summary>
    /// Makes sure a ghost for <paramref name="endpoint"/> on <paramref name="link"/>'s node exists: an older ghost of
    /// the slot is dropped first (its callers get DstDied/SrcDied, as for any unbind). <paramref name="owner"/> is the
    /// name the directory lists, null for a frame's caller the directory has not listed yet (/proc then names only
    /// its node, and the name once the directory lists it). Null when the slot holds a local endpoint (the caller
    /// decides what that means) or the VM has ended.
    /// </summary>
    internal GhostPort? Ensure(Endpoint endpoint, string? owner, NodeLink link, bool listed)
    {
        var label = owner is null ? $"node {link.NodeId} (not listed yet)" : $"node {link.NodeId}: {owner}";
        lock (_gate)
        {
            if (_bySlot.TryGetValue(endpoint.Slot, out var old))
            {
                if (old.Proc.Ep == endpoint && old.Link == link)
                {
                    old.Listed |= listed;
                    if (owner is not null) old.Owner = label;
                    return old;
                }
                DropLocked(old, IpcStatus.DstDied);
            }
            if (kernel.ProcAt(endpoint.Slot) is not null || !kernel.IsRunning) return null;
            var port = new GhostPort(link) { Listed = listed, Owner = label };
            port.Proc = kernel.BindGhost(endpoint, port, label);
            _bySlot[endpoint.Slot] = port;
            return port;
        }
    }

    /// <summary>Drops the ghosts the directory no longer lists (ghosts made for a frame stay until listed once).</summary>
    internal void DropUnlisted(IReadOnlySet<Endpoint> listed)
    {
        lock (_gate)
            foreach (var g in _bySlot.Values.Where(g => g.Listed && !listed.Contains(g.Proc.Ep)).ToList())
                DropLocked(g, IpcStatus.DstDied);
    }

    /// <summary>The ghosts hosted on <paramref name="link"/>'s node.</summary>
    internal IReadOnlyList<GhostPort> Of(NodeLink link)
    {
        lock (_gate) return _bySlot.Values.Where(g => g.Link == link).ToList();
    }

    /// <summary>The node is gone: every call blocked on its ghosts returns NotConnected, and the ghosts go.</summary>
    internal void DropNode(NodeLink link)
    {
        lock (_gate)
            foreach (var g in _bySlot.Values.Where(g => g.Link == link).ToList())
            {
                kernel.FailCallers(g.Proc, IpcStatus.NotConnected);
                DropLocked(g, IpcStatus.NotConnected);
            }
    }

    // Unbinding releases the callers queued on the ghost (DstDied) and those receiving from it (SrcDied). Callers
    // whose call was shipped wait for the owner node's answer, which precedes the directory's removal on the same
    // connection; if it was lost, they end with reason rather than wait forever.
    private void DropLocked(GhostPort ghost, IpcStatus reason)
    {
        _bySlot.Remove(ghost.Proc.Slot);
        kernel.Unbind(ghost.Proc, reason);
        kernel.FailCallers(ghost.Proc, reason);
    }
}
