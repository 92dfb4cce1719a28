using M3Actors.Transport.Arena;
using M3Actors.Transport.Native;
using M3Actors.Transport.Sync;

namespace M3Actors.Transport.Processes;

/// <summary>
/// The table of processes attached to an arena, one cache line per entry: claim word (state + pid, see
/// <see cref="ProcessClaim"/>) at 0, start time at 8, incarnation at 16, spinners at 20, wake sequence at 24 and
/// wake-thread parked flag at 28 (the kernel's wakeups), join time at 32, and the wake summary at 40..63 (three
/// 64-bit words, <see cref="WakeSummaryOf"/>). It also answers for
/// lock words tagged with an entry (<see cref="TagOf"/>): such a lock's owner is dead once its entry left, was
/// reaped or was joined again.
/// </summary>
internal sealed unsafe class ProcessTable(byte* table, int size, ArenaHeader header) : ILockOwners
{
    private const int IndexBits = 10;
    private const int IncarnationMask = (1 << 20) - 1;

    /// <summary>Number of entries.</summary>
    public int Size { get; } = size;

    /// <summary>The entry's claim now.</summary>
    public ProcessClaim ClaimOf(int index) => new(Volatile.Read(ref Claim(index)));

    /// <summary>
    /// Bumped at every join of the entry, so a lock tag or a reap names one attachment, not a reused entry.
    /// </summary>
    public int IncarnationOf(int index) => Volatile.Read(ref Int(index, 16));

    /// <summary>The start time the entry's process recorded (0 while it is still joining).</summary>
    public long StartTimeOf(int index) => Volatile.Read(ref Long(index, 8));

    /// <summary>This process's share of the header's spinner count (given back when it leaves or is reaped).</summary>
    public ref int SpinnersOf(int index) => ref Int(index, 20);

    /// <summary>
    /// The process's wake word: bumped by every process that asked its wake thread to run (a futex word the
    /// thread parks on).
    /// </summary>
    public ref int WakeSequenceOf(int index) => ref Int(index, 24);

    /// <summary>1 while the process's wake thread is parked (or about to park) on its wake word.</summary>
    public ref int WakeParkedOf(int index) => ref Int(index, 28);

    /// <summary>Words of the wake summary: bits of slot groups with wake requests for the process's wake thread.</summary>
    public const int WakeSummaryWords = 3;

    /// <summary>
    /// Word <paramref name="word"/> (0 .. <see cref="WakeSummaryWords"/>−1) of the process's wake summary: a waker
    /// sets the bit of the slot group whose record got a wake request, so the wake thread looks at those groups
    /// only instead of every record of the VM.
    /// </summary>
    public ref long WakeSummaryOf(int index, int word) => ref Long(index, 40 + 8 * word);

    /// <summary>The pid of entry <paramref name="index"/>'s attachment, or 0 when the entry is free.</summary>
    public int PidOf(int index) => ClaimOf(index).Pid;

    /// <summary>The lock tag of entry <paramref name="index"/>'s current attachment (never 0, below 2^30).</summary>
    public int TagOf(int index) => (index + 1) | ((IncarnationOf(index) & IncarnationMask) << IndexBits);

    /// <summary>True while the process named by <paramref name="claim"/> (and the entry's start time) runs.</summary>
    public bool IsProcessAlive(int index, ProcessClaim claim)
    {
        var start = StartTimeOf(index);
        // A joiner writes its start time just after claiming: until then only the pid can be checked.
        return start == 0 ? ProcessIdentity.Read(claim.Pid) is not null : new ProcessIdentity(claim.Pid, start).IsAlive;
    }

    /// <summary>True when some entry is free now.</summary>
    public bool HasFreeEntry
    {
        get
        {
            for (var i = 0; i < Size; i++)
            {
                if (ClaimOf(i).State == ProcessState.Free) return true;
            }
            return false;
        }
    }

    /// <summary>Claims a free entry for <paramref name="self"/> (one compare-and-swap); -1 when none is free.</summary>
    public int TryJoin(ProcessIdentity self)
    {
        var joining = ProcessClaim.Of(ProcessState.Joining, self.Pid).Value;
        for (var i = 0; i < Size; i++)
        {
            if (Interlocked.CompareExchange(ref Claim(i), joining, 0) != 0) continue;
            Volatile.Write(ref Long(i, 8), self.StartTime);
            Volatile.Write(ref Long(i, 32), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Interlocked.Increment(ref Int(i, 16));
            Volatile.Write(ref Claim(i), ProcessClaim.Of(ProcessState.Alive, self.Pid).Value);
            return i;
        }
        return -1;
    }

    /// <summary>Frees this process's own entry.</summary>
    public void Leave(int index, int pid)
    {
        var alive = ProcessClaim.Of(ProcessState.Alive, pid).Value;
        var found = Interlocked.CompareExchange(ref Claim(index), ProcessClaim.Reaping(pid, pid).Value, alive);
        if (found != alive)
        {
            throw new InvalidOperationException(
                $"Process-table entry {index} is '{new ProcessClaim(found)}', not this process's (pid {pid}).");
        }
        Clear(index);
        Volatile.Write(ref Claim(index), 0);
    }

    /// <summary>
    /// Starts reaping entry <paramref name="index"/> if its claim is still <paramref name="observed"/>: of all
    /// survivors that saw the same death, exactly one wins this compare-and-swap.
    /// </summary>
    public bool TryBeginReap(int index, ProcessClaim observed, int reaperPid) =>
        Interlocked.CompareExchange(ref Claim(index), ProcessClaim.Reaping(observed.Pid, reaperPid).Value,
            observed.Value) == observed.Value;

    /// <summary>Frees an entry whose reap (by <paramref name="reaperPid"/>) is complete.</summary>
    public void FinishReap(int index, int pid, int reaperPid)
    {
        Clear(index);
        var reaping = ProcessClaim.Reaping(pid, reaperPid).Value;
        if (Interlocked.CompareExchange(ref Claim(index), 0, reaping) != reaping)
        {
            throw new InvalidOperationException(
                $"Process-table entry {index} changed while pid {reaperPid} reaped it.");
        }
    }

    /// <summary>
    /// Hands back a reap <paramref name="reaperPid"/> began but cannot finish: the entry reads as its dead process's
    /// again, for another survivor to reap.
    /// </summary>
    public void AbandonReap(int index, int pid, int reaperPid)
    {
        var reaping = ProcessClaim.Reaping(pid, reaperPid).Value;
        if (Interlocked.CompareExchange(ref Claim(index), ProcessClaim.Of(ProcessState.Alive, pid).Value, reaping)
            != reaping)
        {
            throw new InvalidOperationException(
                $"Process-table entry {index} changed while pid {reaperPid} reaped it.");
        }
    }

    /// <inheritdoc />
    public bool IsAlive(int owner, bool checkProcess) => IsAlive(owner, int.MaxValue, checkProcess);

    /// <summary>
    /// <see cref="IsAlive(int, bool)"/> for a lock tag of which only the bits of <paramref name="tagMask"/> were
    /// kept (a futex word's tag field): the entry index whole, the incarnation's low bits.
    /// </summary>
    public bool IsAlive(int owner, int tagMask, bool checkProcess)
    {
        var index = (owner & ((1 << IndexBits) - 1)) - 1;
        if (index < 0 || index >= Size) return false;
        var claim = ClaimOf(index);
        var incarnation = IncarnationOf(index) & IncarnationMask & (tagMask >> IndexBits);
        if (!claim.IsAttached || incarnation != (owner & tagMask) >> IndexBits) return false;
        return !checkProcess || IsProcessAlive(index, claim);
    }

    private void Clear(int index)
    {
        Volatile.Write(ref Long(index, 8), 0);
        for (var word = 0; word < WakeSummaryWords; word++) Volatile.Write(ref WakeSummaryOf(index, word), 0);
        var spinners = Interlocked.Exchange(ref SpinnersOf(index), 0);
        // A process killed while spinning never decremented the shared count: give its share back.
        if (spinners != 0) Interlocked.Add(ref header.Spinners, -spinners);
    }

    private ref long Claim(int index) => ref Long(index, 0);

    private ref long Long(int index, int offset) => ref *(long*)Entry(index, offset);

    private ref int Int(int index, int offset) => ref *(int*)Entry(index, offset);

    private byte* Entry(int index, int offset)
    {
        if ((uint)index >= (uint)Size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The process table has {Size} entries.");
        }
        return table + index * ArenaLayout.ProcessEntrySize + offset;
    }
}
