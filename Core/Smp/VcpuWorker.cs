using System.Diagnostics;

namespace M3Actors.Smp;

/// <summary>The thread of one vCPU: pins itself, then takes and runs work from the run queues, spinning briefly before parking.</summary>
internal sealed class VcpuWorker
{
    // Idle polls before parking: long enough to catch the reply of a cross-vCPU ping-pong without a futex wake-up.
    private const int IdleSpins = 100;

    private readonly Vcpu _vcpu;
    private readonly int _pinTarget;
    private readonly RunQueues _queues;
    private readonly VcpuDispatcher _dispatcher;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public VcpuWorker(Vcpu vcpu, int pinTarget, RunQueues queues, VcpuDispatcher dispatcher)
    {
        _vcpu = vcpu;
        _pinTarget = pinTarget;
        _queues = queues;
        _dispatcher = dispatcher;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"{dispatcher.Id}-vcpu-{vcpu.Id}" };
    }

    /// <summary>The errno of a failed pin (0 when pinned or when pinning is unsupported); valid once started.</summary>
    public int PinError { get; private set; }

    /// <summary>Starts the thread and returns once it has pinned itself (or failed to).</summary>
    public void Start()
    {
        using var pinned = new ManualResetEventSlim();
        _thread.UnsafeStart(pinned);
        pinned.Wait();
    }

    public void Stop()
    {
        _stopping = true;
        _vcpu.WakeSignal.Release();
    }

    private void Loop(object? pinnedSignal)
    {
        Pin();
        ((ManualResetEventSlim)pinnedSignal!).Set();
        Vcpu.BindToCurrentThread(_vcpu);
        ref var c = ref _vcpu.Counters;
        Volatile.Write(ref c.BusySince, Stopwatch.GetTimestamp());
        while (!_stopping)
        {
            if (_queues.TryTake(_vcpu, out var item, out var stolen))
            {
                Run(ref c, item, stolen);
                continue;
            }
            EndBusy(ref c);
            Idle(ref c);
        }
    }

    private void Pin()
    {
        if (!CpuAffinity.IsSupported) return;
        PinError = CpuAffinity.TryPinCurrentThread(_pinTarget);
        _vcpu.PhysicalCpu = PinError == 0 ? _pinTarget : -1;
    }

    // Invariant: only this thread writes the owner-line counters, so read-increment-release-store is exact.
    private void Run(ref VcpuCounters c, in WorkItem item, bool stolen)
    {
        if (c.State != VcpuState.Running)
        {
            Volatile.Write(ref c.State, VcpuState.Running);
            Volatile.Write(ref c.BusySince, Stopwatch.GetTimestamp());
        }
        Volatile.Write(ref c.Runs, c.Runs + 1);
        if (stolen) Volatile.Write(ref c.Steals, c.Steals + 1);
        if (item.Slot is { } slot && slot.Current != _vcpu.Id)
        {
            Volatile.Write(ref c.Migrations, c.Migrations + 1);
            slot.Current = _vcpu.Id;
        }
        try
        {
            item.Runnable.Run();
        }
        catch (Exception e)
        {
            // Mailbox runs handle actor failures themselves; this is a plain scheduled task that threw.
            _dispatcher.ReportRunFailure(e);
        }
    }

    private static void EndBusy(ref VcpuCounters c)
    {
        var since = c.BusySince;
        if (since == 0) return;
        Volatile.Write(ref c.BusyTicks, c.BusyTicks + (Stopwatch.GetTimestamp() - since));
        Volatile.Write(ref c.BusySince, 0);
    }

    private void Idle(ref VcpuCounters c)
    {
        Volatile.Write(ref c.State, VcpuState.Spinning);
        var spinner = new SpinWait();
        for (var i = 0; i < IdleSpins; i++)
        {
            if (_stopping || _queues.HasWork(_vcpu)) return;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        // Full fence, then re-check: a producer either sees Parked and wakes us, or we see its item here.
        Interlocked.Exchange(ref c.State, VcpuState.Parked);
        if (_stopping || _queues.HasWork(_vcpu))
        {
            if (Interlocked.CompareExchange(ref c.State, VcpuState.Spinning, VcpuState.Parked) == VcpuState.Parked) return;
            // A producer already moved us to Spinning and is releasing the signal: consume it to stay balanced.
        }
        _vcpu.WakeSignal.Wait();
    }
}
