namespace M3Actors.Kernel;

/// <summary>
/// The kernel's locks: one <see cref="SlotLock"/> per slot, guarding the slot's table entry, its proc and that proc's
/// queue of senders. A primitive takes the locks of the procs it touches (caller, partner, a queued sender it takes,
/// vcopy parties, except a requester party that only reads its own record: IpcKernel.Copy.cs) in ascending slot order,
/// so two sections never wait on each other in a cycle. Nothing takes every lock: bind, unbind, timeouts and snapshots
/// are sequences of sections of one or two slots, and the deadlock check walks published waits-for words without any
/// lock (IpcKernel.Deadlock.cs). Pairs of endpoints that share no slot therefore never contend.
/// </summary>
internal sealed class KernelLocks
{
    internal const int None = -1;

    private readonly SlotLock[] _slots;
    // The kernel holds region as long as these locks, so a private region's lock words outlive them.
    internal unsafe KernelLocks(KernelRegion region, IRegionSharing? shared)
    {
        _slots = new SlotLock[region.Slots];
        for (var i = 0; i < _slots.Length; i++) _slots[i] = new SlotLock(shared, i, region.Record(i));
    }

    internal SlotLock this[int slot] => _slots[slot];

    /// <summary>Takes the locks of up to three slots (<see cref="None"/> to skip; duplicates count once).</summary>
    internal Held Enter(int a, int b = None, int c = None)
    {
        if (b == a) b = None;
        if (c == a || c == b) c = None;
        Order(ref a, ref b);
        Order(ref b, ref c);
        Order(ref a, ref b);
        if (a != None) _slots[a].Enter();
        if (b != None) _slots[b].Enter();
        if (c != None) _slots[c].Enter();
        return new Held(this, a, b, c);
    }

    // Sorts two slots ascending, None last.
    private static void Order(ref int first, ref int second)
    {
        if (first == None || (second != None && second < first)) (first, second) = (second, first);
    }

    private void Exit(int a, int b, int c)
    {
        if (c != None) _slots[c].Exit();
        if (b != None) _slots[b].Exit();
        if (a != None) _slots[a].Exit();
    }

    /// <summary>A held set of slot locks; disposing releases them in reverse order.</summary>
    internal readonly ref struct Held(KernelLocks locks, int a, int b, int c)
    {
        internal bool Covers(int slot) => slot == a || slot == b || slot == c;

        /// <summary>True when every held lock's slot is below <paramref name="slot"/>, so its lock may be taken
        /// too without breaking the ascending order.</summary>
        internal bool AllBelow(int slot) => (c != None ? c : b != None ? b : a) < slot;

        public void Dispose() => locks.Exit(a, b, c);
    }
}
