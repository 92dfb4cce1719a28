using System.Diagnostics;
using M3Actors.Kernel;
using M3Actors.Transport.Native;
using M3Actors.Transport.Processes;
using M3Actors.Transport.Sync;

namespace M3Actors.Transport;

/// <summary>
/// The one thread per attached process that other processes wake (distribution.md §1): it parks on the process's
/// wake word in its process-table entry, and when woken takes the wake requests of the records this process owns
/// and runs their local ports (<see cref="IpcKernel.WakeOwner"/>) — an actor's mailbox is scheduled, a thread's
/// waiter set. Before parking it spins within the <see cref="SpinGate"/>'s budget, since a reply often follows soon.
/// </summary>
internal sealed unsafe class WakeThread : IDisposable
{
    // A parked thread rechecks its word this often, so a missed wake (none is expected) costs a slice, not a hang.
    private static readonly TimeSpan ParkSlice = TimeSpan.FromMilliseconds(100);

    private readonly IpcKernel _kernel;
    private readonly KernelRegion _region;
    private readonly ProcessTable _processes;
    private readonly int _index;
    private readonly SpinGate _gate;
    private readonly Thread _thread;
    private volatile bool _stopping;

    internal WakeThread(IpcKernel kernel, KernelRegion region, ProcessTable processes, int index, SpinGate gate,
        string name)
    {
        _kernel = kernel;
        _region = region;
        _processes = processes;
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
            if (SpinWhile(ref sequence, seen)) continue;
            Interlocked.Exchange(ref parked, 1);
            if (Volatile.Read(ref sequence) == seen && !_stopping) Futex.Wait(ref sequence, seen, ParkSlice);
            Volatile.Write(ref parked, 0);
        }
    }

    // Every record this process owns with a request: taken by an exchange, so a request made meanwhile is either
    // in this pass or left for the next (the sequence bump that came with it ends the spin or the park).
    private void TakeRequests()
    {
        for (var slot = 0; slot < _region.Slots; slot++)
        {
            var record = _region.Record(slot);
            if (Volatile.Read(ref record->WakeRequests) == 0 || Volatile.Read(ref record->ProcessIndex) != _index)
                continue;
            var requests = Interlocked.Exchange(ref record->WakeRequests, 0);
            if (requests == 0) continue;
            _kernel.WakeOwner(slot, (requests & SlotRecord.WakeCompleted) != 0,
                (requests & SlotRecord.WakePending) != 0);
        }
    }

    // True when the word changed within the spin budget (go and take the requests), false to park.
    private bool SpinWhile(ref int sequence, int seen)
    {
        var until = _gate.Enter();
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
