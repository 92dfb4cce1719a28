using System.Buffers;

namespace M3Actors.Kernel;

/// <summary>What the deadlock walk decided for a call about to block (passed to the call's next locked step).</summary>
internal enum Walk
{
    /// <summary>No walk ran yet.</summary>
    NotYet,
    /// <summary>No cycle back to the caller: it may block.</summary>
    NoCycle,
    /// <summary>Blocking would close a cycle and this call is the one to refuse (Locked).</summary>
    Cycle,
}

/// <summary>
/// Minix's deadlock() without a VM-wide lock. Every proc publishes whom it waits for in its
/// <see cref="Proc.WaitWord"/> (<see cref="WaitsFor"/>). A call about to block on a partner that waits for nobody
/// blocks at once: the partner can only start waiting later, under its own lock, and will then see the caller's
/// edge. Otherwise the caller publishes a Tentative edge, releases its locks and walks the published words from the
/// partner. A cycle back to the caller is confirmed by reading its words twice (unchanged versions mean the cycle
/// existed at one instant). The last edge published always sees the whole cycle; if other edges of it are still
/// Tentative, only the highest slot among the Tentative ones refuses, and a lower one waits until that edge commits
/// or withdraws and walks again. So each cycle is refused exactly once, by a call that has not blocked.
/// </summary>
internal sealed partial class IpcKernel
{
    // How a walk of the published words ended.
    private enum Chain
    {
        Open,       // it ends at a proc waiting for nobody (or a dead one): no cycle
        Closed,     // back to the caller, confirmed, and the caller refuses
        WaitFor,    // back to the caller, but a higher-ranked Tentative edge in it decides first
        Changed,    // a word changed between the two reads: walk again
    }

    // Where a call would block on partner: if the partner waits for someone, publish the caller's Tentative edge (a
    // full fence, so the walk reads other words after it is visible) and ask for a walk. Holds both locks.
    private static bool MustWalk(Proc caller, Proc partner, bool sending, Walk walk)
    {
        if (walk != Walk.NotYet || WaitsFor.IsNone(Volatile.Read(ref partner.WaitWord))) return false;
        WaitsFor.PublishFenced(ref caller.WaitWord, WaitsFor.EdgeOf(partner.Ep, sending, WaitsFor.Tentative));
        return true;
    }

    // The call's step finished without blocking (delivered, refused, failed): withdraw its Tentative edge, so walks
    // waiting on it go on. Blocking replaced it with the Committed edge already. Holds the caller's lock.
    private static void EndWalk(Proc caller, Walk walk)
    {
        if (walk != Walk.NotYet && WaitsFor.IsTentative(caller.WaitWord)) WaitsFor.Publish(ref caller.WaitWord, 0);
    }

    // Phase 2, holding no lock: follows the published words from the caller's partner until it knows.
    private Walk WalkForDeadlock(Proc caller)
    {
        var spin = new SpinWait();
        while (true)
        {
            var mine = Volatile.Read(ref caller.WaitWord);
            if (!WaitsFor.IsTentative(mine)) return Walk.NoCycle;   // unbound meanwhile: the next step fails validation
            switch (FollowChain(caller, mine, out var blocker, out var blockerWord))
            {
                case Chain.Open: return Walk.NoCycle;
                case Chain.Closed: return Walk.Cycle;
                case Chain.WaitFor:
                    // The blocker is between its own publish and its next locked step: a short wait, never a sleep.
                    while (Volatile.Read(ref blocker!.WaitWord) == blockerWord) spin.SpinOnce(sleep1Threshold: -1);
                    break;
                case Chain.Changed:
                    spin.SpinOnce(sleep1Threshold: -1);
                    break;
            }
        }
    }

    private Chain FollowChain(Proc caller, long mine, out Proc? blocker, out long blockerWord)
    {
        blocker = null;
        blockerWord = 0;
        var bound = _slots.Length;      // a chain longer than the table is corrupt or a cycle elsewhere
        var rented = bound > 256 ? ArrayPool<long>.Shared.Rent(bound) : null;
        Span<long> words = rented is null ? stackalloc long[bound] : rented.AsSpan(0, bound);
        try
        {
            var length = Collect(caller, mine, words);
            if (length < 0) return Chain.Open;
            if (Collect(caller, mine, words[..length], compare: true) != length) return Chain.Changed;
            // Minix's exception: a pair where one sends and the other receives from it is request/reply.
            if (length == 1 && WaitsFor.Sending(words[0]) != WaitsFor.Sending(mine)) return Chain.Open;
            var at = WaitsFor.Partner(mine);
            for (var i = 0; i < length; at = WaitsFor.Partner(words[i]), i++)
            {
                if (!WaitsFor.IsTentative(words[i]) || at.Slot < caller.Slot) continue;
                if (blocker is not null && at.Slot < blocker.Slot) continue;
                blocker = Lookup(at);
                blockerWord = words[i];
                if (blocker is null) return Chain.Changed;      // gone since the second read
            }
            return blocker is null ? Chain.Closed : Chain.WaitFor;
        }
        finally
        {
            if (rented is not null) ArrayPool<long>.Shared.Return(rented);
        }
    }

    // Reads the words along the chain from the caller's partner into words (or, with compare, checks they are
    // still those) and returns how many precede the edge back to the caller; -1 when the chain ends elsewhere (or
    // differs), bounded by the span's length.
    private int Collect(Proc caller, long mine, Span<long> words, bool compare = false)
    {
        var next = WaitsFor.Partner(mine);
        for (var n = 0; n <= words.Length; n++)
        {
            if (next == caller.Ep) return compare && n != words.Length ? -1 : n;
            if (n == words.Length || Lookup(next) is not { } p) return -1;
            var word = Volatile.Read(ref p.WaitWord);
            if (WaitsFor.IsNone(word)) return -1;
            if (compare && word != words[n]) return -1;
            words[n] = word;
            next = WaitsFor.Partner(word);
        }
        return -1;
    }
}
