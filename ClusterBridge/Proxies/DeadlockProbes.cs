using M3Actors.ClusterBridge.Frames;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// Deadlock detection across nodes by edge chasing (Chandy–Misra–Haas). A PROBE frame names the call that may have
/// closed a cycle (its initiator and correlation id) and the endpoint to go on from; each node follows its part of
/// the chain of blocked endpoints (<see cref="IpcKernel.ChaseEdges"/>, no locks) and passes the probe to the node
/// where the chain leaves. Back at its initiator, still blocked in that call, the probe proves the cycle: the call
/// returns Locked. A probe circling a cycle its initiator is not part of dies after <see cref="MaxHops"/> nodes.
/// </summary>
internal static class DeadlockProbes
{
    /// <summary>How many nodes a probe may visit before it is dropped.</summary>
    internal const int MaxHops = 64;

    /// <summary>
    /// Follows the chain from <paramref name="from"/> on this node, for call <paramref name="correlation"/> of
    /// <paramref name="initiator"/>, which has visited <paramref name="hops"/> nodes so far: where the chain leaves
    /// for another node, the probe goes there; back at the initiator (an endpoint of this node), its call is refused.
    /// </summary>
    internal static void Chase(IpcKernel kernel, Endpoint from, Endpoint initiator, long correlation, int hops)
    {
        if (hops >= MaxHops || kernel.ChaseEdges(from, initiator) is not { } end) return;
        if (end.Port is not GhostPort next)
        {
            kernel.RefuseBlocked(initiator, correlation)?.Abandoned(initiator, correlation);
            return;
        }
        Send(next.Link, end.End, initiator, correlation, hops + 1);
    }

    /// <summary>
    /// Sends the probe for call <paramref name="correlation"/> of <paramref name="initiator"/> to the node behind
    /// <paramref name="link"/>, which goes on from its endpoint <paramref name="from"/>. The hop count rides in the
    /// message's type (a probe carries nothing else). Dropped when the node is not connected: its calls end anyway.
    /// </summary>
    internal static void Send(NodeLink link, Endpoint from, Endpoint initiator, long correlation, int hops)
    {
        var probe = new Message(hops);
        link.Send(new IpcFrame(FrameKind.Probe, correlation, initiator, from, IpcStatus.Ok, in probe));
    }
}
