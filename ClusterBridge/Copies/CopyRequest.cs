namespace M3Actors.ClusterBridge.Copies;

/// <summary>
/// A vcopy across nodes as its requester waits for it: first for the destination's node to pin the destination
/// (<see cref="Ready"/>), then for the copy's end (<see cref="Done"/>). Whichever comes first of an answer, the loss of
/// a party's node (NotConnected) or the VM's end decides; later answers are ignored.
/// </summary>
internal sealed class CopyRequest(int sourceNode, int destinationNode)
{
    private readonly object _gate = new();
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
    internal IpcStatus WaitReady(out string? why) => Wait(ref _ready, out why);

    /// <summary>Blocks until the copy ended.</summary>
    internal IpcStatus WaitDone(out string? why) => Wait(ref _done, out why);

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

    // Bounded by the failure detector: a lost party node fails the request (CopyEngine.NodeLost), so does the VM's end.
    private IpcStatus Wait(ref IpcStatus? stage, out string? why)
    {
        lock (_gate)
        {
            while (stage is null) Monitor.Wait(_gate);
            why = _why;
            return stage.Value;
        }
    }
}
