using Akka.Event;
using M3Actors.ClusterBridge.Frames;
using M3Actors.ClusterBridge.Proxies;
using M3Actors.Kernel;

namespace M3Actors.ClusterBridge.Copies;

/// <summary>
/// vcopy across nodes on this node (docs/cluster.md, <i>vcopy across nodes</i>), in every role a node can have in a
/// copy: requester (<see cref="Copy"/>, called by the kernel), source's node (<see cref="CopySource"/>) and
/// destination's node (<see cref="CopyDestination"/>), any two of them possibly the same node. The requester's node
/// opens the destination (CopyTo → CopyReady), then the source (CopyFrom); the source's node streams chunks to the
/// destination's node with a window, each acknowledged (CopyChunk → CopyAck), and tells the requester's node the
/// outcome (CopyDone); the requester's node then closes the copy on the parties' nodes (CopyClose), which unpin their
/// parties. A party's node lost fails the copy with NotConnected on the requester's node and unpins the parties of its
/// copies on the others; a copy that has not ended after <paramref name="copyTimeout"/> (a party's node reachable but
/// silent) returns TimedOut and is closed the same way. Frames come from the network: anything that fits no copy
/// under way is dropped and logged.
/// </summary>
internal sealed class CopyEngine(IpcKernel kernel, int self, IReadOnlyDictionary<int, NodeLink> links,
    TimeSpan copyTimeout, ILoggingAdapter log) : IRemoteCopy
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, CopyRequest> _requests = [];
    private readonly Dictionary<CopyKey, CopySource> _sources = [];
    private readonly Dictionary<CopyKey, CopyDestination> _destinations = [];
    private long _lastCopy;
    private bool _ended;

    /// <summary>
    /// Fault injection for tests: sees each copy frame that arrives here (on the node proxy's thread) before it is
    /// handled, and drops it when it returns false — a peer that stays reachable but does not copy, as a node of a
    /// version without vcopy across nodes would be. Null (the default) handles every frame.
    /// </summary>
    internal Func<IpcFrame, bool>? Arriving { get; set; }

    /// <inheritdoc />
    public IpcStatus Copy(in RemoteCopy copy, out string? why)
    {
        var (srcLink, dstLink) = (LinkOf(copy.Source), LinkOf(copy.Destination));
        foreach (var (link, party) in new[] { (srcLink, copy.Source), (dstLink, copy.Destination) })
            if (link is { Connected: false })
            {
                why = $"{party.Ep} is on node {link.NodeId}, which is not connected";
                return IpcStatus.NotConnected;
            }
        var key = new CopyKey(self, Interlocked.Increment(ref _lastCopy));
        var request = new CopyRequest(srcLink?.NodeId ?? self, dstLink?.NodeId ?? self, copyTimeout);
        lock (_gate)
        {
            if (_ended)
            {
                why = "the VM has ended";
                return IpcStatus.VmNotRunning;
            }
            _requests[key.Copy] = request;
        }
        try
        {
            return Run(in copy, key, request, srcLink, dstLink, out why);
        }
        finally
        {
            // Sent as answers are, reachable or not: a party's node that this node merely suspects must still
            // unpin its party (a node really gone drops it).
            Closed(key);
            srcLink?.Answer(CopyFrames.Status(FrameKind.CopyClose, key.Copy, copy.Requester, copy.Source.Ep, IpcStatus.Ok));
            if (dstLink is not null && dstLink != srcLink)
                dstLink.Answer(CopyFrames.Status(FrameKind.CopyClose, key.Copy, copy.Requester, copy.Destination.Ep,
                    IpcStatus.Ok));
        }
    }

    // The destination first: the source streams only once the destination is pinned to take its chunks.
    private IpcStatus Run(in RemoteCopy copy, CopyKey key, CopyRequest request, NodeLink? srcLink, NodeLink? dstLink,
        out string? why)
    {
        if (dstLink is null)
            Add(_destinations, key, new CopyDestination(kernel, key, copy.Destination, copy.Write, request.SourceNode,
                pinnedHere: false));
        else
        {
            var open = CopyFrames.Open(FrameKind.CopyTo, key.Copy, copy.Requester, copy.Destination.Ep, copy.To,
                copy.Bytes, request.SourceNode);
            if (!dstLink.Send(in open)) request.Fail(IpcStatus.NotConnected, $"node {dstLink.NodeId} is not connected");
            if (request.WaitReady(out why) is var ready and not IpcStatus.Ok) return ready;
        }
        if (srcLink is null)
        {
            var source = new CopySource(kernel, key, copy.Requester, copy.Source, copy.Read, copy.Destination.Ep, dstLink,
                localDestination: null, pinnedHere: false, SourceEnded);
            Add(_sources, key, source);
            source.Start();
        }
        else
        {
            var open = CopyFrames.Open(FrameKind.CopyFrom, key.Copy, copy.Requester, copy.Source.Ep, copy.From,
                copy.Bytes, request.DestinationNode);
            if (!srcLink.Send(in open)) request.Fail(IpcStatus.NotConnected, $"node {srcLink.NodeId} is not connected");
        }
        return request.WaitDone(out why);
    }

    /// <summary>A copy frame from <paramref name="from"/>'s node, ending at <paramref name="end"/> of its batch.</summary>
    internal void OnFrame(NodeLink from, in IpcFrame frame, byte[] batch, int end)
    {
        if (Arriving is { } arriving && !arriving(frame)) return;
        switch (frame.Kind)
        {
            case FrameKind.CopyTo:
                OpenDestination(from, in frame);
                break;
            case FrameKind.CopyFrom:
                OpenSource(from, in frame);
                break;
            case FrameKind.CopyReady when RequestOf(frame, from, destination: true) is { } request:
                request.Ready(frame.Status, Refused(from, "destination", frame));
                break;
            case FrameKind.CopyDone when RequestOf(frame, from, destination: false) is { } request:
                request.Done(frame.Status, Refused(from, "source", frame));
                break;
            case FrameKind.CopyChunk:
                Chunk(from, in frame, CopyFrames.ChunkData(in frame, batch, end));
                break;
            case FrameKind.CopyAck:
                Ack(from, in frame);
                break;
            case FrameKind.CopyClose:
                Closed(new CopyKey(from.NodeId, frame.Correlation));
                break;
            default:
                log.Debug("node {0}: {1} answers a copy that has ended here", from.NodeId, frame);
                break;
        }
    }

    /// <summary>
    /// <paramref name="node"/> is unreachable or gone: this node's copies with a party there end with NotConnected,
    /// copies it asked for are closed (their parties unpinned), and a source streaming to it stops.
    /// </summary>
    internal void NodeLost(int node)
    {
        List<CopyRequest> requests;
        List<CopySource> streaming;
        List<CopyKey> orphans;
        lock (_gate)
        {
            requests = _requests.Values.Where(r => r.SourceNode == node || r.DestinationNode == node).ToList();
            streaming = _sources.Values.Where(s => s.StreamsTo(node)).ToList();
            orphans = _sources.Keys.Concat(_destinations.Keys).Where(k => k.RequesterNode == node).Distinct().ToList();
        }
        foreach (var r in requests)
            r.Fail(IpcStatus.NotConnected, $"node {node}, a party's node, was lost during the vcopy");
        foreach (var s in streaming) s.Fail(IpcStatus.NotConnected);
        foreach (var k in orphans) Closed(k);
    }

    /// <summary>The VM is ending here: every copy ends (VmNotRunning for a requester) and its parties are
    /// unpinned.</summary>
    internal void End()
    {
        List<CopyRequest> requests;
        List<CopyKey> sessions;
        lock (_gate)
        {
            _ended = true;
            requests = [.. _requests.Values];
            sessions = _sources.Keys.Concat(_destinations.Keys).Distinct().ToList();
        }
        foreach (var r in requests) r.Fail(IpcStatus.VmNotRunning, "the VM has ended");
        foreach (var k in sessions) Closed(k);
    }

    private void OpenDestination(NodeLink from, in IpcFrame open)
    {
        var key = new CopyKey(from.NodeId, open.Correlation);
        var status = Pin(from, in open, BufferAccess.Write, out var party, out var region);
        if (status == IpcStatus.Ok
            && !Add(_destinations, key, new CopyDestination(kernel, key, party!, region, CopyFrames.PeerNodeOf(open),
                pinnedHere: true)))
        {
            kernel.UnpinRemoteCopy(party!);
            status = IpcStatus.VmNotRunning;
        }
        from.Answer(CopyFrames.Status(FrameKind.CopyReady, open.Correlation, open.Caller, open.Partner, status));
    }

    private void OpenSource(NodeLink from, in IpcFrame open)
    {
        var key = new CopyKey(from.NodeId, open.Correlation);
        var peer = CopyFrames.PeerNodeOf(open);
        CopyDestination? here = null;
        if (peer == self)
            lock (_gate) _destinations.TryGetValue(key, out here);
        var status = peer == self ? here is null ? IpcStatus.DstDied : IpcStatus.Ok
            : links.ContainsKey(peer) ? IpcStatus.Ok : IpcStatus.BadNodeId;
        Proc? party = null;
        var region = Memory<byte>.Empty;
        if (status == IpcStatus.Ok) status = Pin(from, in open, BufferAccess.Read, out party, out region);
        else log.Warning("node {0} opened a copy from {1} to node {2}, which has no destination for it: {3}",
            from.NodeId, open.Partner, peer, status);
        if (status != IpcStatus.Ok)
        {
            from.Answer(CopyFrames.Status(FrameKind.CopyDone, open.Correlation, open.Caller, open.Partner, status));
            return;
        }
        var source = new CopySource(kernel, key, open.Caller, party!, region, open.Partner,
            here is null ? links[peer] : null, here, pinnedHere: true, SourceEnded);
        if (Add(_sources, key, source)) source.Start();
        else
        {
            source.Fail(IpcStatus.VmNotRunning);
            source.Close();
        }
    }

    private IpcStatus Pin(NodeLink from, in IpcFrame open, BufferAccess access, out Proc? party, out Memory<byte> region)
    {
        var status = kernel.PinForRemoteCopy(open.Partner, CopyFrames.AddressOf(open), CopyFrames.LengthOf(open), access,
            out party, out region, out var why);
        if (status != IpcStatus.Ok) log.Debug("node {0}'s vcopy #{1}: {2}", from.NodeId, open.Correlation, why);
        return status;
    }

    private void Chunk(NodeLink from, in IpcFrame chunk, ReadOnlySpan<byte> data)
    {
        var key = new CopyKey(CopyFrames.RequesterNodeOf(chunk), chunk.Correlation);
        CopyDestination? destination;
        lock (_gate) _destinations.TryGetValue(key, out destination);
        if (destination is null || destination.SourceNode != from.NodeId
            || !destination.Write(CopyFrames.ChunkOffsetOf(chunk), data, out var status, out var written))
        {
            log.Warning("node {0} sent a vcopy chunk that fits no copy under way here (dropped): {1}, offset {2}, {3} B",
                from.NodeId, chunk, CopyFrames.ChunkOffsetOf(chunk), data.Length);
            return;
        }
        from.Answer(CopyFrames.Ack(chunk.Correlation, chunk.Caller, key.RequesterNode, written, status));
    }

    private void Ack(NodeLink from, in IpcFrame ack)
    {
        var key = new CopyKey(CopyFrames.RequesterNodeOf(ack), ack.Correlation);
        CopySource? source;
        lock (_gate) _sources.TryGetValue(key, out source);
        if (source is null || !source.StreamsTo(from.NodeId)
            || !source.Acknowledged(CopyFrames.WrittenOf(ack), ack.Status))
            log.Warning("node {0} acknowledged vcopy bytes that fit no copy under way here (dropped): {1}",
                from.NodeId, ack);
    }

    // The source's side ended: the requester hears it (here, or in a CopyDone frame to its node).
    private void SourceEnded(CopySource source, IpcStatus status)
    {
        if (source.Key.RequesterNode == self)
        {
            CopyRequest? request;
            lock (_gate) _requests.TryGetValue(source.Key.Copy, out request);
            request?.Done(status, WhyEnded(status));
        }
        else if (links.TryGetValue(source.Key.RequesterNode, out var requester))
            requester.Answer(CopyFrames.Status(FrameKind.CopyDone, source.Key.Copy, Endpoint.None, source.Party, status));
    }

    private CopyRequest? RequestOf(in IpcFrame answer, NodeLink from, bool destination)
    {
        lock (_gate)
            return _requests.TryGetValue(answer.Correlation, out var r)
                   && (destination ? r.DestinationNode : r.SourceNode) == from.NodeId ? r : null;
    }

    private static string? Refused(NodeLink from, string role, in IpcFrame answer) => answer.Status == IpcStatus.Ok
        ? null
        : $"the {role} {answer.Partner} on node {from.NodeId}: {WhyEnded(answer.Status)}";

    private static string? WhyEnded(IpcStatus status) => status switch
    {
        IpcStatus.Ok => null,
        IpcStatus.SrcDied => "the source ended during the vcopy",
        IpcStatus.DstDied => "the destination ended during the vcopy",
        IpcStatus.NotConnected => "a party's node is not connected",
        _ => status.Describe(),
    };

    // False once the VM has ended here, or for a copy already under way (a repeated open): the session is not kept.
    private bool Add<T>(Dictionary<CopyKey, T> sessions, CopyKey key, T session)
    {
        lock (_gate)
        {
            if (_ended) return false;
            if (sessions.TryAdd(key, session)) return true;
        }
        log.Warning("vcopy {0} of node {1} was opened twice here: the second open is refused", key.Copy, key.RequesterNode);
        return false;
    }

    // The copy ended for this node: its sessions stop and unpin what they pinned; the requester's record goes.
    private void Closed(CopyKey key)
    {
        CopySource? source;
        CopyDestination? destination;
        lock (_gate)
        {
            _sources.Remove(key, out source);
            _destinations.Remove(key, out destination);
            if (key.RequesterNode == self) _requests.Remove(key.Copy);
        }
        source?.Close();
        destination?.Close();
    }

    private static NodeLink? LinkOf(Proc party) => (party.Port as GhostPort)?.Link;
}
