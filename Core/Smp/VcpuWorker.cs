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

    /// <summary>Why the host's wait of this vCPU cannot be read although the host keeps it, or null; valid once started.</summary>
    public string? HostWaitError { get; private set; }

    /// <summary>Starts the thread and returns once it has pinned itself (or failed to) and opened its host-wait clock.</summary>
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
        _vcpu.HostWait = HostWaitClock.OpenForCurrentThread(out var hostWaitError);
        HostWaitError = hostWaitError;
        ((ManualResetEventSlim)pinnedSignal!).Set();
        Vcpu.BindToCurrentThread(_vcpu);
        ref var c = ref _vcpu.Counters;
        Volatile.Write(ref c.BusySince, Stopwatch.GetTimestamp());
        while (!_stopping)
        {
            if (_queues.TryTake(_vcpu, out var item, out var victim))
            {
                var wasIdle = Volatile.Read(ref c.State) != VcpuState.Running;
                if (wasIdle) BeginBusy(ref c);
                _queues.AfterTake(_vcpu, victim, wasIdle);
                Run(ref c, item, victim is not null);
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

    // Spinning -> Running with a full fence (Exchange): a producer that queued an item either sees this vCPU
    // running (and wakes another), or this vCPU's AfterTake, which follows the fence, sees the item.
    private static void BeginBusy(ref VcpuCounters c)
    {
        Interlocked.Exchange(ref c.State, VcpuState.Running);
        Volatile.Write(ref c.BusySince, Stopwatch.GetTimestamp());
    }

    // Invariant: only this thread writes the owner-line counters, so read-increment-release-store is exact.
    private void Run(ref VcpuCounters c, in WorkItem item, bool stolen)
    {
        Volatile.Write(ref c.Runs, c.Runs + 1);
        if (stolen) Volatile.Write(ref c.Steals, c.Steals + 1);
        if (item.Slot.Vcpu != _vcpu)
        {
            Volatile.Write(ref c.Migrations, c.Migrations + 1);
            item.Slot.Vcpu = _vcpu;
        }
        try
        {
            item.Mailbox.Run();
        }
        catch (Exception e)
        {
            // Akka's mailbox run handles actor failures itself; anything escaping it is reported, and the vCPU goes on.
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
