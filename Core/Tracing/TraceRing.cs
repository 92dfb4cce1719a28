using System.Diagnostics;

namespace M3Actors.Tracing;

/// <summary>
/// A bounded ring of <see cref="TraceEvent"/>s for one VM. A writer claims the next sequence number with one
/// interlocked increment and fills the entry it maps to, overwriting the event <see cref="Capacity"/> numbers older:
/// a few stores, no lock and no allocation, so the kernel may record while it holds its slot locks. Each entry carries
/// a stamp (its event's sequence + 1, or <see cref="Writing"/>) so a reader never returns a half-written or
/// overwritten event; what it cannot return it counts as dropped.
/// </summary>
internal sealed class TraceRing
{
    // An entry a writer is filling. A second writer that finds its entry in this state (the ring wrapped under a
    // writer that was preempted mid-write) loses its event rather than mixing two into one; readers count it dropped.
    private const long Writing = -1;

    private readonly Entry[] _entries;
    private long _next;

    internal TraceRing(int capacity) => _entries = new Entry[capacity];

    /// <summary>How many events the ring holds before the oldest are overwritten.</summary>
    internal int Capacity => _entries.Length;

    /// <summary>The sequence number the next event will get: the number of events written so far.</summary>
    internal long Next => Volatile.Read(ref _next);

    internal void Write(TraceKind kind, IpcCalls call, Endpoint endpoint, Endpoint partner, Endpoint requester,
        int type, int bytes, IpcStatus status)
    {
        var seq = Interlocked.Increment(ref _next) - 1;
        ref var entry = ref _entries[seq % _entries.Length];
        if (Interlocked.Exchange(ref entry.Stamp, Writing) == Writing) return;
        entry.Event = new TraceEvent(seq, Stopwatch.GetTimestamp(), kind, call, endpoint, partner, requester, type,
            bytes, status);
        Volatile.Write(ref entry.Stamp, seq + 1);
    }

    /// <summary>
    /// Appends to <paramref name="into"/> the events numbered <paramref name="from"/> up to (not including)
    /// <paramref name="until"/> that are still in the ring, oldest first, and returns how many of those numbers it
    /// could not return (overwritten, or lost to a wrap). An event whose writer is still filling it is waited for
    /// briefly (a writer needs a few stores), then counted as dropped.
    /// </summary>
    internal long Read(long from, long until, List<TraceEvent> into)
    {
        var start = Math.Max(from, until - _entries.Length);
        var dropped = start - from;
        for (var seq = start; seq < until; seq++)
        {
            if (TryRead(seq, out var e)) into.Add(e);
            else dropped++;
        }
        return dropped;
    }

    private bool TryRead(long seq, out TraceEvent e)
    {
        ref var entry = ref _entries[seq % _entries.Length];
        var spin = new SpinWait();
        while (true)
        {
            var stamp = Volatile.Read(ref entry.Stamp);
            if (stamp == seq + 1)
            {
                e = entry.Event;
                Interlocked.MemoryBarrier();        // the copy above completes before the stamp is checked again
                if (Volatile.Read(ref entry.Stamp) == stamp) return true;
            }
            // Overwritten by a later event, or still being written: wait only for a write that may yet be this one.
            if (stamp > seq + 1 || spin.Count >= 50)
            {
                e = default;
                return false;
            }
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private struct Entry
    {
        public long Stamp;
        public TraceEvent Event;
    }
}
