using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace M3Actors.Tracing;

/// <summary>
/// The kernel's side of a VM's message trace: one method per event, each called on one line at the point in
/// Core/Kernel where the event happens. While the trace is off a hook is one volatile read and a branch, inlined
/// into the kernel, so the IPC paths allocate nothing and do no other work; while it is on, the event goes into the
/// ring (<see cref="TraceRing"/>: a few stores, safe under the kernel's slot locks). Only bind and unbind allocate
/// when on, to remember owner names, and they are not hot paths.
/// </summary>
internal sealed class KernelTrace
{
    // A user slot's endpoint changes at every bind, so names of ended endpoints are dropped once the ring no longer
    // mentions them: a traced VM that binds and unbinds for days keeps a bounded map.
    private const int PruneSlack = 256;

    private readonly ConcurrentDictionary<Endpoint, string> _names = new();
    private readonly ConcurrentQueue<Endpoint> _gone = new();      // unbound while on, oldest first
    private volatile bool _on;
    private TraceRing? _ring;

    /// <summary>True while events are recorded.</summary>
    internal bool On => _on;

    /// <summary>The ring, once the trace was first switched on.</summary>
    internal TraceRing? Ring => Volatile.Read(ref _ring);

    /// <summary>Owner names of endpoints bound while the trace was on and of those given to Remember.</summary>
    internal IReadOnlyDictionary<Endpoint, string> Names => _names;

    /// <summary>Keeps an endpoint's owner name for rendering, even after it unbinds.</summary>
    internal void Remember(Endpoint ep, string owner) => _names[ep] = owner;

    /// <summary>Starts recording, making the ring of <paramref name="capacity"/> events on first use.</summary>
    internal void Start(int capacity)
    {
        // The ring is published before the switch, so a hook that sees the switch on also sees the ring.
        if (Volatile.Read(ref _ring) is null) Volatile.Write(ref _ring, new TraceRing(capacity));
        _on = true;
    }

    /// <summary>Stops recording; the ring keeps what it holds.</summary>
    internal void Stop() => _on = false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Bound(Endpoint ep, string owner)
    {
        if (_on) RecordBind(ep, owner);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Unbound(Endpoint ep)
    {
        if (_on) RecordUnbind(ep);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Call(Endpoint caller, IpcCalls call, Endpoint partner, int type = 0, int bytes = 0)
    {
        if (_on) Record(TraceKind.Call, call, caller, partner, Endpoint.None, type, bytes, IpcStatus.Ok);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Delivered(Endpoint from, Endpoint to, IpcCalls call, int type)
    {
        if (_on) Record(TraceKind.Deliver, call, from, to, Endpoint.None, type, 0, IpcStatus.Ok);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void NotifyPending(Endpoint from, Endpoint to)
    {
        if (_on)
        {
            Record(TraceKind.NotifyPending, IpcCalls.Notify, from, to, Endpoint.None, Message.NotifyType, 0,
                IpcStatus.Ok);
        }
    }

    /// <summary>
    /// A call's immediate outcome, returned unchanged: Suspended is recorded as a block on the partner, an error as
    /// an error; Ok needs no event (its delivery or copy is recorded where it happened).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal IpcStatus Returned(Endpoint caller, IpcCalls call, Endpoint partner, IpcStatus status)
    {
        if (_on && status != IpcStatus.Ok) RecordOutcome(caller, call, partner, status);
        return status;
    }

    /// <summary>An actor's implicit receive: only its blocking is an event (it is no call the actor made).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void IdleReceive(Endpoint actor, IpcCalls call, Endpoint from, IpcStatus status)
    {
        if (_on && status == IpcStatus.Suspended)
            Record(TraceKind.Block, call, actor, from, Endpoint.None, 0, 0, IpcStatus.Ok);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Woken(Endpoint ep, IpcStatus status)
    {
        if (_on) Record(TraceKind.Wake, IpcCalls.None, ep, Endpoint.None, Endpoint.None, 0, 0, status);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Copied(Endpoint requester, Endpoint source, Endpoint destination, int bytes)
    {
        if (_on) Record(TraceKind.Copy, IpcCalls.VCopy, source, destination, requester, 0, bytes, IpcStatus.Ok);
    }

    // Off the inlined path: only a trace that is on gets here.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordOutcome(Endpoint caller, IpcCalls call, Endpoint partner, IpcStatus status)
    {
        var (kind, outcome) = status == IpcStatus.Suspended ? (TraceKind.Block, IpcStatus.Ok) : (TraceKind.Error, status);
        Record(kind, call, caller, partner, Endpoint.None, 0, 0, outcome);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordBind(Endpoint ep, string owner)
    {
        _names[ep] = owner;
        Record(TraceKind.Bind, IpcCalls.None, ep, Endpoint.None, Endpoint.None, 0, 0, IpcStatus.Ok);
        if (_gone.Count > 2 * _ring!.Capacity + PruneSlack) Prune(_ring);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordUnbind(Endpoint ep)
    {
        _gone.Enqueue(ep);
        Record(TraceKind.Unbind, IpcCalls.None, ep, Endpoint.None, Endpoint.None, 0, 0, IpcStatus.Ok);
    }

    // Forgets the names of ended endpoints that no event in the ring mentions. A ring of N events mentions at most 2N
    // endpoints, so each prune frees at least PruneSlack names: its cost, O(N), is spread over that many binds. Runs
    // in bind, which the kernel serialises, outside every slot lock.
    private void Prune(TraceRing ring)
    {
        var events = new List<TraceEvent>(ring.Capacity);
        var until = ring.Next;
        ring.Read(Math.Max(0, until - ring.Capacity), until, events);
        var mentioned = new HashSet<Endpoint>();
        foreach (var e in events)
        {
            mentioned.Add(e.Endpoint);
            mentioned.Add(e.Partner);
            mentioned.Add(e.Requester);
        }
        for (var n = _gone.Count; n > 0 && _gone.TryDequeue(out var ep); n--)
        {
            if (mentioned.Contains(ep)) _gone.Enqueue(ep);
            else _names.TryRemove(ep, out _);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Record(TraceKind kind, IpcCalls call, Endpoint endpoint, Endpoint partner, Endpoint requester,
        int type, int bytes, IpcStatus status) =>
        _ring!.Write(kind, call, endpoint, partner, requester, type, bytes, status);
}
