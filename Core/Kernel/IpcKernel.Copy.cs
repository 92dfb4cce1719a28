namespace M3Actors.Kernel;

/// <summary>
/// vcopy: one copy from the source endpoint's registered buffer to the destination's, no intermediate buffer, asked by
/// either party or by a third endpoint (COPY2). The copy runs inside the kernel's critical section, as Minix's
/// virtual_copy runs inside the kernel: holding every party's stripe, no party can wake and touch its buffer half-way
/// through.
/// </summary>
internal sealed partial class IpcKernel
{
    internal int RegisterBuffer(Proc owner, Memory<byte> region, BufferAccess access)
    {
        using (_locks.Enter(owner.Slot))
        {
            if (!owner.Bound) throw new IpcException(IpcStatus.NotBound, "cannot register a buffer on an unbound endpoint");
            return owner.Buffers.Register(region, access);
        }
    }

    internal bool UnregisterBuffer(Proc owner, int id)
    {
        using (_locks.Enter(owner.Slot)) return owner.Buffers.Unregister(id);
    }

    internal IpcStatus VCopy(Proc caller, Endpoint source, BufferAddress from, Endpoint destination, BufferAddress to, int bytes)
    {
        Smp.Vcpu.Current?.OnKernelEntry();
        caller.LastError = null;
        using (_locks.Enter(caller.Slot, PartnerSlot(caller, source), PartnerSlot(caller, destination)))
        {
            if (ResolveParty(caller, source, IpcStatus.SrcDied, out var src) is var badSrc and not IpcStatus.Ok) return badSrc;
            if (ResolveParty(caller, destination, IpcStatus.DstDied, out var dst) is var badDst and not IpcStatus.Ok) return badDst;
            if (src == dst) return Fail(caller, IpcStatus.BadSrcDst, "vcopy source and destination are the same endpoint");
            if (bytes < 0 || bytes > _maxCopyBytes)
                return Fail(caller, IpcStatus.Range, $"vcopy length {bytes} is outside 0..{_maxCopyBytes}");
            if (!IsCopyParty(caller, src)) return Fail(caller, IpcStatus.ProcState, $"{src.Ep} is neither the requester nor blocked");
            if (!IsCopyParty(caller, dst)) return Fail(caller, IpcStatus.ProcState, $"{dst.Ep} is neither the requester nor blocked");
            if (src.Buffers.TryResolve(from, bytes, BufferAccess.Read, out var read, out var why) is var badRead and not IpcStatus.Ok)
                return Fail(caller, badRead, $"source {src.Ep}: {why}");
            if (dst.Buffers.TryResolve(to, bytes, BufferAccess.Write, out var write, out why) is var badWrite and not IpcStatus.Ok)
                return Fail(caller, badWrite, $"destination {dst.Ep}: {why}");
            read.CopyTo(write);
            var stripe = _locks[caller.Slot];
            stripe.Copies++;
            stripe.BytesCopied += bytes;
            return IpcStatus.Ok;
        }
    }

    // Every party other than the requester must be blocked (receiving, or waiting for a sendrec reply).
    private static bool IsCopyParty(Proc caller, Proc party) => party == caller || party.IsReceiving;

    // The caller itself as a party needs only the caller's own checks (Validate with ANY runs exactly those).
    private IpcStatus ResolveParty(Proc caller, Endpoint e, IpcStatus died, out Proc party)
    {
        var own = e == Endpoint.Self || e == caller.Ep;
        var status = Validate(caller, IpcCalls.VCopy, own ? Endpoint.Any : e, allowAny: own, out party);
        if (own) party = caller;
        return status == IpcStatus.DeadSrcDst ? died : status;
    }
}
