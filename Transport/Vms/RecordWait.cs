using System.Diagnostics;
using M3Actors.Kernel;
using M3Actors.Transport.Native;
using M3Actors.Transport.Sync;

namespace M3Actors.Transport;

/// <summary>
/// A thread owner's blocking wait on its record's <see cref="SlotRecord.OwnerWait"/> word: armed before the call,
/// parked (futex) after a spin within the <see cref="SpinGate"/>'s budget, completed by whoever completes the call,
/// in this process or another (<see cref="TrySignal"/>). Only the owner moves the word from armed to parked and
/// back; only a completion moves it to completed, once per call.
/// </summary>
internal sealed unsafe class RecordWait(SlotRecord* record, SpinGate gate) : IRecordWait
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Parked = 2;
    private const int Completed = 3;

    // A parked owner rechecks its word this often (and its deadline): a lost wake would cost a slice, not a hang.
    private static readonly TimeSpan ParkSlice = TimeSpan.FromMilliseconds(100);

    // How long this owner's recent waits took, which caps its next spin; with when the current wait began and
    // whether its spin caught the completion (0: no wait since the last Disarm). Only the owner's thread uses them.
    private SpinHistory _history;
    private long _waitStartedAt;
    private bool _caughtSpinning;

    /// <summary>
    /// Completes the wait armed on <paramref name="word"/>, waking the owner if it parked; false when no blocking
    /// wait is armed there (an async call or an actor: the owner process's wake thread must run its port).
    /// </summary>
    internal static bool TrySignal(ref int word)
    {
        while (true)
        {
            var value = Volatile.Read(ref word);
            if (value is not (Armed or Parked)) return false;
            if (Interlocked.CompareExchange(ref word, Completed, value) != value) continue;
            if (value == Parked) Futex.Wake(ref word, 1);
            return true;
        }
    }

    /// <inheritdoc />
    public void Arm() => Volatile.Write(ref record->OwnerWait, Armed);

    /// <inheritdoc />
    public void Signal()
    {
        if (!TrySignal(ref record->OwnerWait))
            throw new InvalidOperationException("a blocking call completed while its record's wait was not armed");
    }

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
        if (Interlocked.CompareExchange(ref word, Parked, Armed) != Armed) return true;    // completed meanwhile
        while (true)
        {
            var slice = deadline.LeftOr(ParkSlice);
            if (slice > TimeSpan.Zero) Futex.Wait(ref word, Parked, slice);
            if (Volatile.Read(ref word) == Completed) return true;
            if (deadline.Left != TimeSpan.Zero) continue;      // infinite, or time left
            // Timed out: back to armed for the abort, unless the completion got in first.
            return Interlocked.CompareExchange(ref word, Armed, Parked) != Parked;
        }
    }

    // True once the word reads completed within the spin budget (and the deadline). The budget is the gate's, capped
    // by this owner's history: no spin at all while its recent waits were long (Disarm records how this one went).
    private bool Spin(ref int word, Deadline deadline)
    {
        _waitStartedAt = Stopwatch.GetTimestamp();
        var cap = _history.CapTicks;
        _caughtSpinning = cap > 0 && SpinFor(ref word, deadline, cap);
        return _caughtSpinning || Volatile.Read(ref word) == Completed;
    }

    private bool SpinFor(ref int word, Deadline deadline, long capTicks)
    {
        var until = gate.Enter(capTicks);
        try
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                if (Volatile.Read(ref word) == Completed) return true;
                if (deadline.Left == TimeSpan.Zero) return false;
                Thread.SpinWait(8);
            }
            return Volatile.Read(ref word) == Completed;
        }
        finally
        {
            gate.Exit();
        }
    }
}
