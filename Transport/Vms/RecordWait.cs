using System.Diagnostics;
using M3Actors.Kernel;
using M3Actors.Transport.Native;
using M3Actors.Transport.Processes;
using M3Actors.Transport.Sync;

namespace M3Actors.Transport;

/// <summary>
/// A thread owner's blocking wait on its record's <see cref="SlotRecord.OwnerWait"/> word: armed before the call,
/// parked (futex) after a spin within the <see cref="SpinGate"/>'s budget, completed by whoever completes the call,
/// in this process or another. The word's low 3 bits are its state, the rest a tag: while armed or parked, the call
/// it waits for (the low bits of the record's <see cref="SlotRecord.CallSeq"/> once that call is suspended); once
/// the completion is written, the lock tag of the process that wrote it.
/// </summary>
/// <remarks>
/// A completing process may die at any instruction (distribution.md §1), so the completion reaches the word in two
/// steps. (1) Under the owner's slot lock, the section that ended the call moves the word from armed or parked to
/// "written by process X" (<see cref="MarkWritten"/>, run by every unlock): the outcome and that mark are one step
/// for everyone who takes the lock. (2) After the unlock, X's wakeup moves it to completed and wakes a parked owner
/// (<see cref="TrySignal"/>). A holder that dies inside (1) leaves its lock to a survivor, whose takeover completes
/// a call it finds ended but unmarked (<see cref="CompleteOrphan"/>); an X that dies between (1) and (2) is seen
/// dead by the parked owner itself, which then completes its own word. The owner returns only on "completed", or
/// on "written by a dead process": never while a live completer's wakeup is still to come, so a late wakeup cannot
/// complete the owner's next call (rulebook §12.1).
/// </remarks>
internal sealed unsafe class RecordWait(SlotRecord* record, SpinGate gate, ProcessTable processes) : IRecordWait
{
    private const int StateBits = 3;
    private const int StateMask = (1 << StateBits) - 1;
    private const int TagMask = (1 << (32 - StateBits - 1)) - 1;    // 28 bits: the word stays positive
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Parked = 2;
    private const int Completed = 3;
    private const int Written = 4;          // completion written under the lock, its writer's wakeup not yet run
    private const int WrittenParked = 5;    // the same, and the owner parked: the wakeup must wake it

    // A parked owner rechecks its word this often (and its deadline): a lost wake would cost a slice, not a hang.
    private static readonly TimeSpan ParkSlice = TimeSpan.FromMilliseconds(100);

    // A written completion's wakeup follows within microseconds unless its writer died: check the writer this often.
    private static readonly TimeSpan WriterSlice = TimeSpan.FromMilliseconds(5);

    // How long this owner's recent waits took, which caps its next spin; with when the current wait began and
    // whether its spin caught the completion (0: no wait since the last Disarm). Only the owner's thread uses them.
    private SpinHistory _history;
    private long _waitStartedAt;
    private bool _caughtSpinning;

    /// <summary>
    /// Completes the wait on <paramref name="word"/> whose completion this process wrote, waking the owner if it
    /// parked; false when no blocking wait is armed there (an async call or an actor: the owner process's wake
    /// thread must run its port). A word still armed or parked is a wait for a call not ended yet, so a stale
    /// wakeup leaves it alone.
    /// </summary>
    internal static bool TrySignal(ref int word)
    {
        while (true)
        {
            var value = Volatile.Read(ref word);
            switch (value & StateMask)
            {
                case Idle:
                    return false;
                case Written or WrittenParked:
                    if (Interlocked.CompareExchange(ref word, Completed, value) != value) continue;
                    if ((value & StateMask) == WrittenParked) Futex.Wake(ref word, 1);
                    return true;
                default:
                    return true;
            }
        }
    }

    /// <summary>
    /// Under <paramref name="r"/>'s slot lock, just before its release by the process tagged
    /// <paramref name="writerTag"/>: when the owner's blocking call is suspended and the section ended it, marks
    /// the word written by that process (step 1 of the completion).
    /// </summary>
    internal static void MarkWritten(SlotRecord* r, int writerTag)
    {
        while (true)
        {
            var value = Volatile.Read(ref r->OwnerWait);
            if (!EndedUnmarked(r, value)) return;
            var state = (value & StateMask) == Parked ? WrittenParked : Written;
            if (Interlocked.CompareExchange(ref r->OwnerWait, ((writerTag & TagMask) << StateBits) | state, value)
                == value)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Under <paramref name="r"/>'s slot lock taken over from a dead holder: a call that holder ended without
    /// marking it is completed here, and its owner woken (nobody else will).
    /// </summary>
    internal static void CompleteOrphan(SlotRecord* r)
    {
        while (true)
        {
            var value = Volatile.Read(ref r->OwnerWait);
            if (!EndedUnmarked(r, value)) return;
            if (Interlocked.CompareExchange(ref r->OwnerWait, Completed, value) != value) continue;
            if ((value & StateMask) == Parked) Futex.Wake(ref r->OwnerWait, 1);
            return;
        }
    }

    /// <inheritdoc />
    public void Signal()
    {
        if (!TrySignal(ref record->OwnerWait))
            throw new InvalidOperationException("a blocking call completed while its record's wait was not armed");
    }

    /// <inheritdoc />
    public void Arm() =>
        // The call is numbered when it suspends (only this owner's own call changes the number meanwhile).
        Volatile.Write(ref record->OwnerWait, (CallTag(Volatile.Read(ref record->CallSeq) + 1) << StateBits) | Armed);

    /// <inheritdoc />
    public void Disarm()
    {
        Volatile.Write(ref record->OwnerWait, Idle);
        if (_waitStartedAt == 0) return;
        _history.Ended(_waitStartedAt, _caughtSpinning);
        _waitStartedAt = 0;
    }

    /// <inheritdoc />
    public bool Wait(TimeSpan timeout)
    {
        ref var word = ref record->OwnerWait;
        var deadline = Deadline.After(timeout);
        if (Spin(ref word, deadline)) return true;
        while (true)
        {
            var value = Volatile.Read(ref word);
            var state = value & StateMask;
            if (state == Completed) return true;
            if (state is Armed or Written)
            {
                // Tell the waker to wake: armed → parked, written → written-parked.
                var parked = (value & ~StateMask) | (state == Armed ? Parked : WrittenParked);
                Interlocked.CompareExchange(ref word, parked, value);
                continue;
            }
            if (state == WrittenParked)
            {
                // Ended: its writer's wakeup is on its way, whatever the deadline, unless the writer died. Only a
                // wakeup overdue by a whole slice asks whether it did: that check reads /proc (it allocates and
                // costs microseconds), while a live writer's wakeup follows within microseconds.
                if (Futex.Wait(ref word, value, WriterSlice) != FutexWaitResult.TimedOut
                    || processes.IsAlive(value >> StateBits, TagMask, checkProcess: true))
                {
                    continue;
                }
                if (Interlocked.CompareExchange(ref word, Completed, value) == value) return true;
                continue;
            }
            var slice = deadline.LeftOr(ParkSlice);
            if (slice > TimeSpan.Zero)
            {
                Futex.Wait(ref word, value, slice);
                continue;
            }
            // Timed out while the call is still suspended: back to armed for the abort, unless its end got in.
            if (Interlocked.CompareExchange(ref word, (value & ~StateMask) | Armed, value) == value) return false;
        }
    }

    // The word waits for the record's suspended call (armed or parked, tagged with its number) and that call has
    // ended: it neither sends nor receives, and no vcopy holds its outcome back (the copy's end completes it).
    private static bool EndedUnmarked(SlotRecord* r, int value) =>
        (value & StateMask) is Armed or Parked
        && value >> StateBits == CallTag(r->CallSeq)
        && (r->Flags & (ProcFlags.Sending | ProcFlags.Receiving)) == 0
        && !r->OutcomeHeld;

    private static int CallTag(long callSeq) => (int)(callSeq & TagMask);

    // True once the word reads completed within the history's cap (and the deadline): no active wait at all while
    // this owner's recent waits were long (Disarm records how this one went).
    private bool Spin(ref int word, Deadline deadline)
    {
        _waitStartedAt = Stopwatch.GetTimestamp();
        var cap = _history.CapTicks;
        _caughtSpinning = cap > 0 && SpinFor(ref word, deadline, cap);
        return _caughtSpinning || Volatile.Read(ref word) == Completed;
    }

    // Spins within the gate's budget, and yields the core between checks for the part of the cap the gate cut.
    // The gate cuts the spin when waiting threads outnumber the cores: the partner is then likely one of the
    // threads waiting for a core, so a spin burns the time slice it needs and a park costs a futex wait, a wake
    // and a wake-up, while a yield lets it run at once. Counts on this box (docs/perf.md, "Thread pairs across
    // processes"): 4 pairs of threads spent 15 µs of CPU per round trip per process spinning and parking, about
    // 4 µs yielding. Not while the gate is open: a yield on a core that other programs want sends this thread to
    // the back of the queue (one pair under a load of 28 took 80-100 µs per round trip yielding), where a parked
    // thread's wake-up gets the scheduler's preference. The whole active wait counts in the gate.
    private bool SpinFor(ref int word, Deadline deadline, long capTicks)
    {
        var until = Stopwatch.GetTimestamp() + capTicks;
        var spinUntil = gate.Enter(capTicks);
        try
        {
            while (Stopwatch.GetTimestamp() < spinUntil)
            {
                if (Volatile.Read(ref word) == Completed) return true;
                if (deadline.Left == TimeSpan.Zero) return false;
                Thread.SpinWait(8);
            }
            while (Stopwatch.GetTimestamp() < until)
            {
                if (Volatile.Read(ref word) == Completed) return true;
                if (deadline.Left == TimeSpan.Zero) return false;
                Thread.Yield();
            }
            return Volatile.Read(ref word) == Completed;
        }
        finally
        {
            gate.Exit();
        }
    }
}
