using System.Runtime.CompilerServices;

namespace M3Actors.Kernel;

/// <summary>
/// vcopy: one copy from the source endpoint's registered buffer to the destination's, no intermediate buffer, asked by
/// either party or by a third endpoint (COPY2). A copy of up to <see cref="ChunkBytes"/> runs in one section holding
/// the parties' locks, as Minix's virtual_copy runs inside the kernel. A larger one goes in chunks (rulebook §5), the
/// locks held per chunk only, so nobody waits behind a 4 MiB copy. Between chunks both parties stay pinned
/// (<see cref="Proc.Copying"/>): another vcopy naming one gets Busy, and a call of a pinned party that completes
/// meanwhile (a delivery, a timeout, its partner's death) keeps its outcome held until the copy ends, so no owner
/// wakes up to a half-copied buffer. A party that dies mid-copy ends the copy with SrcDied or DstDied. In a VM shared
/// between processes the requester's process copies: a party of another process is reached through the buffer
/// grants of that process's copy window (<see cref="IRegionSharing.ForeignRegion"/>), mapped here.
/// </summary>
internal sealed partial class IpcKernel
{
    internal const int ChunkBytes = 64 * 1024;

    /// <summary>Test hook: runs on the copying thread after each chunk of a chunked copy (and after each chunk a copy
    /// across nodes reads from a source here), holding no kernel lock.</summary>
    internal Action? ChunkCopied;

    internal int RegisterBuffer(Proc owner, Memory<byte> region, BufferAccess access)
    {
        using (_locks.Enter(owner.Slot))
        {
            if (!owner.Bound) throw new IpcException(IpcStatus.NotBound, "cannot register a buffer on an unbound endpoint");
            var id = owner.Buffers.Register(region, access);
            _sharing?.Granted(owner, id, region, access);
            return id;
        }
    }

    internal bool UnregisterBuffer(Proc owner, int id)
    {
        using (_locks.Enter(owner.Slot))
        {
            if (!owner.Buffers.Unregister(id)) return false;
            _sharing?.Revoked(owner, id);
            return true;
        }
    }

    internal IpcStatus VCopy(Proc caller, Endpoint source, BufferAddress from, Endpoint destination, BufferAddress to,
        int bytes)
    {
        caller.VcpuSlot?.CountKernelEntry();
        caller.ClearLastError();
        Trace.Call(caller.Ep, IpcCalls.VCopy, destination, bytes: bytes);
        // The parties' locks only. A requester that is no party (COPY2) is only read — its binding, that it is not
        // inside another call, its call mask — and what it reads it could as well read just before or after; the lock
        // it does not need was ~13 of a 4 KB COPY2's ~70 ns of fixed cost (docs/perf.md). A requester that is a party
        // of a copy done in one section of an in-process VM needs no lock of its own either: it is running this call,
        // so nothing else writes what the copy reads of it. Its flags, its pin and its buffer table change only by
        // its own calls (a vcopy or a delivery reaches it only while it is blocked); what its owner's unbind (a kill,
        // the VM's end) may change concurrently the copy checks as a COPY2 does the requester's: an unbind that wins
        // leaves it unbound (NotBound), one that loses finds the copy done, and the partner it releases is locked.
        // The copy is counted on a locked party. Pinning it (a copy in chunks or across nodes) writes its record:
        // that takes its lock, so such a copy runs again with it.
        var requesterLocked = _sharing is not null || (uint)bytes > ChunkBytes;
        var status = Copy(caller, source, from, destination, to, bytes, requesterLocked);
        if (status == IpcStatus.Suspended && !requesterLocked)      // a ghost party: nothing changed, pin with it
            status = Copy(caller, source, from, destination, to, bytes, requesterLocked: true);
        return Trace.Returned(caller.Ep, IpcCalls.VCopy, destination, status);
    }

    // Checks the copy and does it in one section, or pins the parties and goes on in chunks or across nodes; without
    // the requester's lock it pins nothing and returns Suspended instead. Not inlined: as a root of its own it gets
    // the JIT's whole inlining budget, so the checks and the copy inline into one compact body (inlined into the
    // caller of VCopy the budget ran out and left a dozen calls).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private IpcStatus Copy(Proc caller, Endpoint source, BufferAddress from, Endpoint destination, BufferAddress to,
        int bytes, bool requesterLocked)
    {
        IpcStatus status;
        Proc? src, dst;
        Memory<byte> read, write;
        using (_locks.Enter(LockSlot(caller, source, requesterLocked), LockSlot(caller, destination, requesterLocked)))
        {
            status = BeginCopy(caller, source, from, destination, to, bytes, requesterLocked, out src, out dst,
                out read, out write);
            if (status == IpcStatus.Suspended && requesterLocked)
                (read, write) = (RegionOf(src!, from, bytes, read), RegionOf(dst!, to, bytes, write));
            AssertInvariants(src, dst);
        }
        if (status != IpcStatus.Suspended || !requesterLocked) return status;
        return IsGhost(src!) || IsGhost(dst!)
            ? CopyAcrossNodes(caller, new RemoteCopy(caller.Ep, src!, from, read, dst!, to, write, bytes))
            : CopyInChunks(caller, src!, dst!, read, write);
    }

    // The requester's own slot is locked only when requesterLocked (see VCopy); a party it names is always locked.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int LockSlot(Proc caller, Endpoint party, bool requesterLocked) =>
        !requesterLocked && IsOwn(caller, party) ? KernelLocks.None : PartnerSlot(caller, party);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsOwn(Proc caller, Endpoint party) => party == Endpoint.Self || party == caller.Ep;

    // Checks the copy, then does it in one go, or pins both parties and returns Suspended for the chunks. Without the
    // requester's lock it pins nothing: Suspended then asks for a run again with it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private IpcStatus BeginCopy(Proc caller, Endpoint source, BufferAddress from, Endpoint destination,
        BufferAddress to, int bytes, bool requesterLocked, out Proc? src, out Proc? dst, out Memory<byte> read,
        out Memory<byte> write)
    {
        (src, dst, read, write) = (null, null, default, default);
        // The rulebook's order: the caller, then each party's value and the call mask (Validate's steps, the
        // caller's checked once for both parties).
        if (ValidateCaller(caller) is var badCaller and not IpcStatus.Ok) return badCaller;
        if (ResolveParty(caller, source, IpcStatus.SrcDied, out src) is var badSrc and not IpcStatus.Ok) return badSrc;
        if (ResolveParty(caller, destination, IpcStatus.DstDied, out dst) is var badDst and not IpcStatus.Ok)
            return badDst;
        if (src == dst) return RefuseCopy(caller, IpcStatus.BadSrcDst, src, bytes);
        if (bytes < 0 || bytes > _maxCopyBytes) return RefuseCopy(caller, IpcStatus.Range, src, bytes);
        // Before the state check: a pinned party whose call completed meanwhile is not receiving, yet busy.
        if (src.Copying || dst.Copying) return RefuseCopy(caller, IpcStatus.Busy, src.Copying ? src : dst, bytes);
        // A ghost party is checked (and pinned) on its owner node, which alone knows its state and buffers.
        var acrossNodes = IsGhost(src) || IsGhost(dst);
        if (acrossNodes && !requesterLocked) return IpcStatus.Suspended;
        if (acrossNodes && _remoteCopy is null) return RefuseCopy(caller, IpcStatus.NotConnected, src, bytes);
        if (!IsGhost(src) && !IsCopyParty(caller, src)) return RefuseCopy(caller, IpcStatus.ProcState, src, bytes);
        if (!IsGhost(dst) && !IsCopyParty(caller, dst)) return RefuseCopy(caller, IpcStatus.ProcState, dst, bytes);
        string? why = null;
        if (!IsGhost(src) && CheckBuffer(src, from, bytes, BufferAccess.Read, out read, out why) is var badRead
            and not IpcStatus.Ok)
            return RefuseBuffer(caller, badRead, "source", src, why);
        if (!IsGhost(dst) && CheckBuffer(dst, to, bytes, BufferAccess.Write, out write, out why) is var badWrite
            and not IpcStatus.Ok)
            return RefuseBuffer(caller, badWrite, "destination", dst, why);
        if (acrossNodes || bytes > ChunkBytes)
        {
            Pin(src);
            Pin(dst);
            return IpcStatus.Suspended;
        }
        SpanOf(src, from, bytes, read).CopyTo(SpanOf(dst, to, bytes, write));
        CountCopy(src != caller || requesterLocked ? src : dst, bytes);
        Trace.Copied(caller.Ep, src.Ep, dst.Ep, bytes);
        return IpcStatus.Ok;
    }

    // Off the inlined path, so a copy that passes runs through a compact method: what BeginCopy found wrong.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private IpcStatus RefuseCopy(Proc caller, IpcStatus status, Proc party, int bytes) =>
        Fail(caller, status, status switch
        {
            IpcStatus.BadSrcDst => "vcopy source and destination are the same endpoint",
            IpcStatus.Range => $"vcopy length {bytes} is outside 0..{_maxCopyBytes}",
            IpcStatus.Busy => $"{party.Ep} is a party of another vcopy",
            IpcStatus.NotConnected => "a vcopy party is on another node and no bridge copies across nodes",
            _ => $"{party.Ep} is neither the requester nor blocked",
        });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IpcStatus RefuseBuffer(Proc caller, IpcStatus status, string role, Proc party, string? why) =>
        Fail(caller, status, $"{role} {party.Ep}: {why}");

    // A local party's buffer is in its table; a foreign party's is granted in its process's copy window, which this
    // process maps: the copy then goes straight from window to window (or to or from a local buffer).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private IpcStatus CheckBuffer(Proc party, BufferAddress address, int bytes, BufferAccess needed,
        out Memory<byte> foreign, out string? why)
    {
        foreign = default;
        return party.IsForeign
            ? _sharing!.ForeignRegion(party, address, bytes, needed, out foreign, out why)
            : party.Buffers.Check(address, bytes, needed, out why);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Span<byte> SpanOf(Proc party, BufferAddress address, int bytes, Memory<byte> foreign) =>
        party.IsForeign ? foreign.Span : party.Buffers.Span(address, bytes);

    private static Memory<byte> RegionOf(Proc party, BufferAddress address, int bytes, Memory<byte> foreign) =>
        party.IsForeign || IsGhost(party) ? foreign : party.Buffers.Region(address, bytes);

    // The parties are pinned; every chunk re-checks that both are alive. The regions stay valid across the chunks
    // (a Memory keeps its array alive, and only a pinned party's own owner, who is not running, could unregister).
    private IpcStatus CopyInChunks(Proc caller, Proc src, Proc dst, Memory<byte> read, Memory<byte> write)
    {
        var wake = new Wakeups();
        var status = IpcStatus.Ok;
        for (var done = 0; ;)
        {
            using (_locks.Enter(src.Slot, dst.Slot))
            {
                if (!src.Bound || !dst.Bound || !_running || done == read.Length)
                {
                    status = !_running ? IpcStatus.VmNotRunning
                        : !src.Bound ? Fail(caller, IpcStatus.SrcDied, $"{src.Ep} ended during the vcopy")
                        : !dst.Bound ? Fail(caller, IpcStatus.DstDied, $"{dst.Ep} ended during the vcopy")
                        : IpcStatus.Ok;
                    if (status == IpcStatus.Ok) CountCopy(src, done);
                    if (status == IpcStatus.Ok) Trace.Copied(caller.Ep, src.Ep, dst.Ep, done);
                    Unpin(src, ref wake);
                    Unpin(dst, ref wake);
                    AssertInvariants(src, dst);
                    break;
                }
                var n = Math.Min(ChunkBytes, read.Length - done);
                read.Span.Slice(done, n).CopyTo(write.Span.Slice(done, n));
                done += n;
            }
            ChunkCopied?.Invoke();
        }
        wake.Run();
        return status;
    }

    // The copy ended: a call of the party that completed meanwhile now reaches its owner, and an idle actor that
    // Akka messages found pinned (NextForActor) runs them.
    private static unsafe void Unpin(Proc p, ref Wakeups wake)
    {
        if (!p.IsCurrent) return;       // unbound mid-copy and its slot bound again: the new binding is not pinned
        p.Record->Copier = 0;
        p.Copying = false;
        if (!p.OutcomeHeld)
        {
            if (p.Kind == OwnerKind.Actor) wake.Pending(p);     // a spurious wake costs a mailbox run, nothing more
            return;
        }
        p.OutcomeHeld = false;
        p.HasOutcome = p.Kind == OwnerKind.Actor;
        wake.Completed(p);
    }

    // The reaper, under slot's lock: a requester whose process died between two chunks left the parties pinned,
    // and a call of theirs that completed meanwhile held; unpinning hands that outcome to its owner, as the copy's
    // end would have. A record nobody here has a view of is only unpinned.
    private unsafe void UnpinAfterDeath(int slot, int deadIndex, ref Wakeups wake)
    {
        var record = _region.Record(slot);
        if (!record->Copying || record->Copier != deadIndex + 1) return;
        if (_slots.Resolve(slot) is { } p) Unpin(p, ref wake);
        else (record->Copying, record->Copier) = (false, 0);
    }

    // On a party whose lock the copy holds: the VM's counters are the sum over its slots.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountCopy(Proc party, int bytes)
    {
        var counters = _locks[party.Slot];
        counters.Copies++;
        counters.BytesCopied += bytes;
    }

    // Every party other than the requester must be blocked (receiving, or waiting for a sendrec reply). A sendrec to
    // another node is reply-pending once it is addressed to the ghost: only the owner node's reply ends it, and its
    // owner stays blocked as for a sendrec whose request a local server took.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsCopyParty(Proc caller, Proc party) => party == caller || IsBlockedForCopy(party);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsBlockedForCopy(Proc party) =>
        party.IsReceiving || (party.IsSending && party.IsReplyPending && Lookup(party.SendTo) is { } to && IsGhost(to));

    // A party value after the caller's own checks (ValidateCaller): the caller itself needs only its call mask.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private IpcStatus ResolveParty(Proc caller, Endpoint e, IpcStatus died, out Proc party)
    {
        if (IsOwn(caller, e))
        {
            party = caller;
            return Allowed(caller, IpcCalls.VCopy);
        }
        var status = ValidatePartner(caller, IpcCalls.VCopy, e, allowAny: false, out party);
        return status == IpcStatus.DeadSrcDst ? died : status;
    }
}
