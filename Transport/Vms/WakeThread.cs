using System.Diagnostics;
using M3Actors.Actors;
using M3Actors.Kernel;
using M3Actors.Transport.Native;
using M3Actors.Transport.Processes;
using M3Actors.Transport.Sync;

namespace M3Actors.Transport;

/// <summary>
/// The one thread per attached process that other processes wake (distribution.md §1): it parks on the process's
/// wake word in its process-table entry, and when woken takes the wake requests of the slot groups its
/// <see cref="WakeSummary"/> marks and runs their local ports (<see cref="IpcKernel.WakeOwner"/>) — an actor's
/// mailbox is run (on this thread: <see cref="CapturedRuns"/>), a thread's waiter set. Before parking it spins, since a reply often follows soon: within
/// the <see cref="SpinGate"/>'s budget and no longer than its recent waits suggest (<see cref="SpinHistory"/>).
/// </summary>
internal sealed unsafe class WakeThread : IDisposable
{
    // A parked thread rechecks its word this often, so a missed wake (none is expected) costs a slice, not a hang.
    private static readonly TimeSpan ParkSlice = TimeSpan.FromMilliseconds(100);

    private readonly IpcKernel _kernel;
    private readonly KernelRegion _region;
    private readonly ProcessTable _processes;
    private readonly WakeSummary _summary;
    private readonly int _index;
    private readonly SpinGate _gate;
    private readonly Thread _thread;
    private SpinHistory _history;
    private volatile bool _stopping;

    internal WakeThread(IpcKernel kernel, KernelRegion region, ProcessTable processes, WakeSummary summary, int index,
        SpinGate gate, string name)
    {
        _kernel = kernel;
        _region = region;
        _processes = processes;
        _summary = summary;
        _index = index;
        _gate = gate;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Stops the thread and waits for it.</summary>
    public void Dispose()
    {
        _stopping = true;
        ref var sequence = ref _processes.WakeSequenceOf(_index);
        Interlocked.Increment(ref sequence);
        Futex.Wake(ref sequence, 1);
        if (Thread.CurrentThread != _thread) _thread.Join();
    }

    private void Run()
    {
        ref var sequence = ref _processes.WakeSequenceOf(_index);
        ref var parked = ref _processes.WakeParkedOf(_index);
        while (!_stopping)
        {
            var seen = Volatile.Read(ref sequence);
            TakeRequests();
            var waitStartedAt = Stopwatch.GetTimestamp();
            var caught = SpinWhile(ref sequence, seen);
            if (!caught)
            {
                Interlocked.Exchange(ref parked, 1);
                if (Volatile.Read(ref sequence) == seen && !_stopping) Futex.Wait(ref sequence, seen, ParkSlice);
                Volatile.Write(ref parked, 0);
            }
            _history.Ended(waitStartedAt, caught);
        }
    }

    // The records of the marked groups that this process owns: their requests are taken by an exchange, so a request
    // made meanwhile is either in this pass or left for the next (the wake-word bump that came with it ends the spin
    // or the park). The mailbox runs the actors' wakeups schedule are captured and run here, after the pass: this
    // thread is running anyway, and the reply to what they send comes back to it.
    private void TakeRequests()
    {
        CapturedRuns.Begin();
        try
        {
            TakeMarkedRequests();
        }
        finally
        {
            CapturedRuns.RunCaptured();
        }
    }

    private void TakeMarkedRequests()
    {
        for (var word = 0; word < ProcessTable.WakeSummaryWords; word++)
        {
            for (var bits = _summary.Take(_index, word); bits != 0; bits &= bits - 1)
            {
                var first = _summary.FirstSlotOf(word, bits);
                var end = Math.Min(first + _summary.GroupSize, _region.Slots);
                for (var slot = first; slot < end; slot++) TakeRequests(slot);
            }
        }
    }

    private void TakeRequests(int slot)
    {
        var record = _region.Record(slot);
        if (Volatile.Read(ref record->WakeRequests) == 0 || Volatile.Read(ref record->ProcessIndex) != _index) return;
        var requests = Interlocked.Exchange(ref record->WakeRequests, 0);
        if (requests == 0) return;
        _kernel.WakeOwner(slot, (requests & SlotRecord.WakeCompleted) != 0, (requests & SlotRecord.WakePending) != 0);
    }

    // True when the word changed within the spin budget (go and take the requests), false to park.
    private bool SpinWhile(ref int sequence, int seen)
    {
        var cap = _history.CapTicks;
        if (cap == 0) return Volatile.Read(ref sequence) != seen || _stopping;
        var until = _gate.Enter(cap);
        try
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                if (Volatile.Read(ref sequence) != seen || _stopping) return true;
                Thread.SpinWait(8);
            }
            return false;
        }
        finally
        {
            _gate.Exit();
        }
    }
}
