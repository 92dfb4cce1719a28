namespace M3Actors.ClusterBridge.Copies;

/// <summary>
/// A vcopy across nodes as its requester waits for it: first for the destination's node to pin the destination
/// (<see cref="Ready"/>), then for the copy's end (<see cref="Done"/>). Whichever comes first of an answer, the loss of
/// a party's node (NotConnected), the VM's end or the copy's time bound (TimedOut) decides; later answers are ignored.
/// </summary>
/// <param name="sourceNode">The source's node (this node when the source is local).</param>
/// <param name="destinationNode">The destination's node (this node when the destination is local).</param>
/// <param name="bound">How long the whole copy may take, from now, before the requester gives up on it.</param>
internal sealed class CopyRequest(int sourceNode, int destinationNode, TimeSpan bound)
{
    private readonly object _gate = new();
    private readonly long _deadline = Environment.TickCount64 + (long)bound.TotalMilliseconds;
    private IpcStatus? _ready;
    private IpcStatus? _done;
    private string? _why;

    /// <summary>The source's node (this node when the source is local).</summary>
    internal int SourceNode { get; } = sourceNode;

    /// <summary>The destination's node (this node when the destination is local).</summary>
    internal int DestinationNode { get; } = destinationNode;

    /// <summary>The destination's node answered its open.</summary>
    internal void Ready(IpcStatus status, string? why) => Set(ref _ready, status, why);

    /// <summary>The source's side ended the copy with <paramref name="status"/>.</summary>
    internal void Done(IpcStatus status, string? why) => Set(ref _done, status, why);

    /// <summary>Ends both waits with <paramref name="status"/> (a node lost, the VM ended), unless already
    /// decided.</summary>
    internal void Fail(IpcStatus status, string why)
    {
        lock (_gate)
        {
            _ready ??= status;
            if (_done is not null) return;
            _done = status;
            _why ??= why;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks until the destination's node answered (or the copy failed).</summary>
    internal IpcStatus WaitReady(out string? why) => Wait(ref _ready, ready: true, out why);

    /// <summary>Blocks until the copy ended.</summary>
    internal IpcStatus WaitDone(out string? why) => Wait(ref _done, ready: false, out why);

    private void Set(ref IpcStatus? stage, IpcStatus status, string? why)
    {
        lock (_gate)
        {
            if (stage is not null) return;
            stage = status;
            if (status != IpcStatus.Ok) _why ??= why;
            Monitor.PulseAll(_gate);
        }
    }

    // A lost party node fails the request (CopyEngine.NodeLost), so does the VM's end; a party's node that stays
    // reachable but never answers is given up at the deadline. Either way both stages are decided for good, so an
    // answer that comes later is ignored (and the copy's number is never used again, so it cannot reach another copy).
    private IpcStatus Wait(ref IpcStatus? stage, bool ready, out string? why)
    {
        lock (_gate)
        {
            while (stage is null)
            {
                var left = _deadline - Environment.TickCount64;
                if (left > 0)
                {
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left));
                    continue;
                }
                var silent = ready ? $"the destination's node {DestinationNode} did not answer"
                    : $"the parties' nodes (source {SourceNode}, destination {DestinationNode}) did not finish";
                Fail(IpcStatus.TimedOut, $"{silent} the vcopy within {(long)bound.TotalMilliseconds} ms, " +
                    "though reachable (m3actors.cluster.copy-timeout)");
            }
            why = _why;
            return stage.Value;
        }
    }
}
