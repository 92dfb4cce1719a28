namespace M3Actors.Kernel;

/// <summary>
/// vcopy across nodes (docs/cluster.md): a party that is a ghost is checked, pinned and read or written on its owner
/// node. On the requester's node <see cref="VCopy"/> checks and pins the local parties as for a local copy and hands
/// the copy to the bridge (<see cref="IRemoteCopy"/>); on a party's owner node the bridge pins the party with the same
/// checks (<see cref="PinForRemoteCopy"/>), moves its bytes one chunk at a time under its lock only
/// (<see cref="ReadChunk"/>, <see cref="WriteChunk"/>) and unpins it when the requester's node closes the copy
/// (<see cref="UnpinRemoteCopy"/>). Between chunks the party stays pinned, with the local copy's rules: another
/// vcopy naming it gets Busy and a call of it that completes meanwhile keeps its outcome held.
/// </summary>
internal sealed partial class IpcKernel
{
    private IRemoteCopy? _remoteCopy;

    /// <summary>Attaches the bridge that runs copies whose source or destination is a ghost.</summary>
    internal void AttachRemoteCopy(IRemoteCopy remoteCopy) => _remoteCopy = remoteCopy;

    private static bool IsGhost(Proc p) => p.Kind == OwnerKind.Remote;

    // A ghost is pinned on its own node, not here.
    private unsafe void Pin(Proc p)
    {
        if (IsGhost(p)) return;
        p.Copying = true;
        p.Record->Copier = _region.ProcessIndex + 1;
    }

    // The requester's side: the local parties are pinned; the bridge runs the copy and the requester blocks in it.
    private IpcStatus CopyAcrossNodes(Proc caller, in RemoteCopy copy)
    {
        var status = _remoteCopy!.Copy(in copy, out var why);
        var wake = new Wakeups();
        var (src, dst) = (copy.Source, copy.Destination);
        using (_locks.Enter(src.Slot, dst.Slot))
        {
            if (!_running) status = IpcStatus.VmNotRunning;
            if (status != IpcStatus.Ok)
                Fail(caller, status, why ?? $"the vcopy across nodes ended with {status.Describe()}");
            else Trace.Copied(caller.Ep, src.Ep, dst.Ep, copy.Bytes);
            if (!IsGhost(src)) Unpin(src, ref wake);
            if (!IsGhost(dst)) Unpin(dst, ref wake);
            AssertInvariants(src, dst);
        }
        wake.Run();
        return status;
    }

    /// <summary>
    /// A party's owner node: checks <paramref name="party"/> for a copy a requester on another node asked for (which
    /// checked the call itself there: privileges, the endpoints' values) — bound here, not a ghost, in no other copy
    /// (Busy), blocked (ProcState), [offset, offset + bytes) of its buffer registered with <paramref name="needed"/>
    /// access (Range, CallDenied) — and pins it. Every value
    /// comes from the network and is checked. On Ok, <paramref name="pinned"/> and its <paramref name="region"/> stay
    /// pinned until <see cref="UnpinRemoteCopy"/>.
    /// </summary>
    internal IpcStatus PinForRemoteCopy(Endpoint party, BufferAddress address, int bytes,
        BufferAccess needed, out Proc? pinned, out Memory<byte> region, out string? why)
    {
        (pinned, region, why) = (null, default, null);
        var died = needed == BufferAccess.Read ? IpcStatus.SrcDied : IpcStatus.DstDied;
        var role = needed == BufferAccess.Read ? "source" : "destination";
        if (!_running) return Refuse(IpcStatus.VmNotRunning, "the VM has ended on the party's node", out why);
        if (bytes < 0 || bytes > _maxCopyBytes)
            return Refuse(IpcStatus.Range, $"vcopy length {bytes} is outside 0..{_maxCopyBytes}", out why);
        if (party.IsSpecial || Lookup(party) is not { } p)
            return Refuse(died, $"{role} {party} is not bound on its node", out why);
        using (_locks.Enter(p.Slot))
        {
            if (!p.Bound || IsGhost(p)) return Refuse(died, $"{role} {party} is not bound on its node", out why);
            if (p.Copying) return Refuse(IpcStatus.Busy, $"{party} is a party of another vcopy", out why);
            if (!IsBlockedForCopy(p))      // the requester is on another node: never this party
                return Refuse(IpcStatus.ProcState, $"{party} is neither the requester nor blocked", out why);
            if (CheckBuffer(p, address, bytes, needed, out var foreign, out var bad) is var status and not IpcStatus.Ok)
                return Refuse(status, $"{role} {party}: {bad}", out why);
            region = RegionOf(p, address, bytes, foreign);
            Pin(p);
            AssertInvariants(p);
        }
        pinned = p;
        return IpcStatus.Ok;
    }

    /// <summary>
    /// Copies <paramref name="into"/>.Length bytes at <paramref name="offset"/> of pinned source
    /// <paramref name="src"/>'s <paramref name="region"/> under its lock: SrcDied once it has ended, VmNotRunning once
    /// the VM has. <paramref name="last"/> counts the copy on the source (its bytes are counted per chunk). Runs
    /// <see cref="ChunkCopied"/> after a chunk it read, as a local copy in chunks does.
    /// </summary>
    internal IpcStatus ReadChunk(Proc src, Memory<byte> region, int offset, Span<byte> into, bool last)
    {
        using (_locks.Enter(src.Slot))
        {
            if (!_running) return IpcStatus.VmNotRunning;
            if (!src.Bound) return IpcStatus.SrcDied;
            region.Span.Slice(offset, into.Length).CopyTo(into);
            var counters = _locks[src.Slot];
            counters.BytesCopied += into.Length;
            if (last) counters.Copies++;
        }
        ChunkCopied?.Invoke();
        return IpcStatus.Ok;
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/> of pinned destination <paramref name="dst"/>'s
    /// <paramref name="region"/> under its lock: DstDied once it has ended, VmNotRunning once the VM has.
    /// </summary>
    internal IpcStatus WriteChunk(Proc dst, Memory<byte> region, int offset, ReadOnlySpan<byte> data)
    {
        using (_locks.Enter(dst.Slot))
        {
            if (!_running) return IpcStatus.VmNotRunning;
            if (!dst.Bound) return IpcStatus.DstDied;
            data.CopyTo(region.Span.Slice(offset, data.Length));
            return IpcStatus.Ok;
        }
    }

    /// <summary>The copy that pinned <paramref name="party"/> here ended: a call of it that completed meanwhile now
    /// reaches its owner.</summary>
    internal void UnpinRemoteCopy(Proc party)
    {
        var wake = new Wakeups();
        using (_locks.Enter(party.Slot))
        {
            Unpin(party, ref wake);
            AssertInvariants(party);
        }
        wake.Run();
    }

    private static IpcStatus Refuse(IpcStatus status, string reason, out string? why)
    {
        why = reason;
        return status;
    }
}
