namespace M3Actors.ClusterBridge.Directory;

/// <summary>
/// One bound slot of a VM as the other nodes see it (distribution.md §2, "Directory"): which node hosts it, and the
/// generation of its current binding, so a stale endpoint stays stale on every node. A control message: it travels
/// with Hyperion, restricted by <see cref="Serialization.ControlSerializer"/>.
/// </summary>
/// <param name="Endpoint">The bound endpoint (slot and generation).</param>
/// <param name="NodeId">The DRVS node that hosts the endpoint's owner.</param>
/// <param name="Owner">The owner's name, as /proc shows it.</param>
public sealed record DirectoryEntry(Endpoint Endpoint, int NodeId, string Owner);
