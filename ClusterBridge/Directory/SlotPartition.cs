namespace M3Actors.ClusterBridge.Directory;

/// <summary>
/// Which node may bind which slot of a VM that spans nodes, so an endpoint value is unique in the VM without a
/// global lock. User slots are split into one contiguous block per node of the VM's node set, in ascending node id
/// order: a node allocates fresh user endpoints only from its own block, so two nodes never hand out the same user
/// slot, and the generation of a user slot only ever advances on the node that owns it. System slots belong to no
/// node: a server binds its well-known slot explicitly on whichever node it runs, and the directory refuses it
/// (SlotUsed) once another node's entry for it has arrived. Two binds of one system slot on two nodes before the
/// directory converges are resolved by <see cref="Winner"/>: every node picks the same entry, and the other node's
/// endpoint is unbound.
/// </summary>
public sealed class SlotPartition
{
    private readonly int[] _nodes;
    private readonly int _systemSlots;
    private readonly int _userSlots;

    /// <summary>The partition of a VM with these slots over <paramref name="nodeSet"/>.</summary>
    public SlotPartition(IReadOnlySet<int> nodeSet, int systemSlots, int userSlots)
    {
        ArgumentNullException.ThrowIfNull(nodeSet);
        if (nodeSet.Count == 0) throw new ArgumentException("the node set is empty", nameof(nodeSet));
        _nodes = [.. nodeSet.Order()];
        _systemSlots = systemSlots;
        _userSlots = userSlots;
    }

    /// <summary>The node whose block holds user slot <paramref name="slot"/>; null for a system slot.</summary>
    public int? OwnerOf(int slot)
    {
        if (slot < _systemSlots || slot >= _systemSlots + _userSlots) return null;
        return _nodes[(int)((long)(slot - _systemSlots) * _nodes.Length / _userSlots)];
    }

    /// <summary>True when <paramref name="nodeId"/> may allocate user slot <paramref name="slot"/>.</summary>
    public bool Owns(int nodeId, int slot) => OwnerOf(slot) == nodeId;

    /// <summary>
    /// The entry that holds a slot when several claim it: the one on the lowest node id (deterministic on every
    /// node, whatever the order the entries arrived in); on one node, the highest generation (its latest bind).
    /// </summary>
    public static DirectoryEntry Winner(IEnumerable<DirectoryEntry> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return claims.OrderBy(e => e.NodeId).ThenByDescending(e => e.Endpoint.Generation).First();
    }
}
