using M3Actors.ClusterBridge.Frames;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// Ships what local callers queued on one peer's ghosts: each call becomes a SEND/SENDREC/NOTIFY frame in the peer's
/// outbox, tagged with the caller's call sequence, and the caller stays blocked until the answer. The node proxy
/// ships on its ship token; a lone call — none of this node's calls to the peer awaits an answer — is shipped and
/// sent at once by the caller's own thread (<see cref="GhostPort.Pending"/>), saving the hop through the proxy that
/// a single call cannot share with others anyway. Taking and encoding happen in one section per peer, so a caller's
/// frames leave in the order of its calls whichever thread ships them.
/// </summary>
internal sealed class Shipper(IpcKernel kernel, NodeLink link)
{
    private readonly Lock _gate = new();
    private readonly List<Shipment> _shipments = [];
    private int _awaiting;

    /// <summary>True when no call shipped to the peer awaits its answer (a new call would go alone).</summary>
    internal bool Idle => Volatile.Read(ref _awaiting) <= 0;

    /// <summary>The peer answered a shipped call.</summary>
    internal void Answered() => Interlocked.Decrement(ref _awaiting);

    /// <summary>The peer is unreachable: its shipped calls end here without an answer.</summary>
    internal void Forget() => Volatile.Write(ref _awaiting, 0);

    /// <summary>
    /// Ships what waits on <paramref name="port"/>'s ghost; with <paramref name="flushNow"/> the batch goes at once
    /// rather than on the proxy's flush token. Outside the kernel's locks.
    /// </summary>
    internal void Ship(GhostPort port, bool flushNow)
    {
        lock (_gate)
        {
            if (!port.Proc.Bound) return;
            _shipments.Clear();
            kernel.TakeShipments(port.Proc, _shipments);
            if (!link.Connected)
            {
                kernel.FailCallers(port.Proc, IpcStatus.NotConnected);
                return;
            }
            for (var i = 0; i < _shipments.Count; i++)
            {
                var s = _shipments[i];
                var kind = s.Call switch
                {
                    IpcCalls.SendRec => FrameKind.SendRec,
                    IpcCalls.Notify => FrameKind.Notify,
                    _ => FrameKind.Send,
                };
                if (kind != FrameKind.Notify) Interlocked.Increment(ref _awaiting);
                var message = s.Message;
                var frame = new IpcFrame(kind, s.Correlation, s.Caller, port.Proc.Ep, IpcStatus.Ok, in message);
                if (!link.Send(in frame, flushNow && i == _shipments.Count - 1))
                    kernel.FailCallers(port.Proc, IpcStatus.NotConnected);
            }
        }
    }
}
