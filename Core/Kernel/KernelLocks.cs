namespace M3Actors.Kernel;

/// <summary>
/// The kernel's locks, striped by slot: a slot, its proc and that proc's queue of senders are guarded by stripe
/// <c>slot % Count</c>. A primitive takes the stripes of the procs it touches in ascending order, so two primitives
/// never wait on each other in a cycle; bind, unbind, shutdown, timeouts, snapshots and the deadlock walk take every
/// stripe. Endpoint pairs on different stripes never contend: one VM-wide lock capped 4 pairs at ~0.4× Akka Tell.
/// </summary>
internal sealed class KernelLocks
{
    internal const int Count = 64;
    internal const int None = -1;
    internal const int Everything = -2;

    private readonly Stripe[] _stripes = Enumerable.Range(0, Count).Select(_ => new Stripe()).ToArray();

    internal static int StripeOf(int slot) => slot & (Count - 1);

    internal Stripe this[int slot] => _stripes[StripeOf(slot)];

    /// <summary>Takes the stripes of up to three slots (<see cref="None"/> to skip; <see cref="Everything"/> for all).</summary>
    internal Held Enter(int a, int b = None, int c = None)
    {
        if (a == Everything || b == Everything || c == Everything) return EnterAll();
        var x = a == None ? None : StripeOf(a);
        var y = b == None ? None : StripeOf(b);
        var z = c == None ? None : StripeOf(c);
        if (y == x) y = None;
        if (z == x || z == y) z = None;
        Order(ref x, ref y);
        Order(ref y, ref z);
        Order(ref x, ref y);
        if (x != None) _stripes[x].Enter();
        if (y != None) _stripes[y].Enter();
        if (z != None) _stripes[z].Enter();
        return new Held(this, x, y, z);
    }

    internal Held EnterAll()
    {
        foreach (var stripe in _stripes) stripe.Enter();
        return new Held(this, Everything, None, None);
    }

    internal IEnumerable<Stripe> All => _stripes;

    // Sorts two stripe indexes ascending, None last.
    private static void Order(ref int first, ref int second)
    {
        if (first == None || (second != None && second < first)) (first, second) = (second, first);
    }

    private void Exit(int x, int y, int z)
    {
        if (x == Everything)
        {
            for (var i = _stripes.Length - 1; i >= 0; i--) _stripes[i].Exit();
            return;
        }
        if (z != None) _stripes[z].Exit();
        if (y != None) _stripes[y].Exit();
        if (x != None) _stripes[x].Exit();
    }

    /// <summary>A held set of stripes; disposing releases them in reverse order.</summary>
    internal readonly ref struct Held(KernelLocks locks, int x, int y, int z)
    {
        internal bool All => x == Everything;

        internal bool Covers(int slot)
        {
            var s = StripeOf(slot);
            return All || s == x || s == y || s == z;
        }

        public void Dispose() => locks.Exit(x, y, z);
    }

    /// <summary>
    /// One stripe: its lock, and the VM counters of the procs it guards (summed by snapshots). Padded so two
    /// stripes never share a cache line. A <see cref="SpinLock"/>, because every critical section here is a few
    /// dozen instructions with no call out: it costs less than half a monitor, and its SpinWait yields when the
    /// holder is descheduled.
    /// </summary>
    internal sealed class Stripe
    {
        private SpinLock _gate = new(enableThreadOwnerTracking: false);

        internal bool IsHeld => _gate.IsHeld;

        internal void Enter()
        {
            var taken = false;
            _gate.Enter(ref taken);
        }

        internal void Exit() => _gate.Exit(useMemoryBarrier: false);

        internal long Messages;
        internal long Notifications;
        internal long Copies;
        internal long BytesCopied;
#pragma warning disable CS0169, IDE0051 // padding only: keeps the next stripe's lock off this cache line
        private readonly long _pad0, _pad1, _pad2, _pad3, _pad4, _pad5, _pad6, _pad7;
#pragma warning restore CS0169, IDE0051
    }
}
