using System.Diagnostics;

namespace M3Actors.Smp;

/// <summary>
/// Ends a mailbox run that has held its vCPU for a whole tick (the run length) while other work waits for that vCPU,
/// like a timer interrupt. Akka's mailbox loop (1.5) reads the dispatcher's <c>ThroughputDeadlineTime</c> once at the
/// start of a run as an absolute time on its own clock, and then, after each message, ends the run if the property
/// has a value and its clock is past that time. A vCPU dispatcher never stores a time there, so every run reads 0:
/// while the property is null, runs end by <c>throughput</c> as usual and Akka reads no clock; once a tick sets it to
/// 0, every run ends after the message it is handling. The tick raises it when a vCPU is still in the run it was in
/// at the previous tick with work queued behind it, and lowers it once no vCPU is, so the hot path pays nothing.
/// Time the host kept a vCPU's thread waiting for a CPU (<see cref="HostWaitClock"/>) is not time the run held its
/// vCPU, as a guest kernel does not charge steal time to a process: on a busy host a descheduled vCPU would
/// otherwise look stuck at every tick and cut every run of the dispatcher to one message.
/// </summary>
internal sealed class RunPreemption : IDisposable
{
    private readonly Vcpu[] _vcpus;
    private readonly RunQueues _queues;
    private readonly Action<bool> _preempt;
    private readonly long[] _runsAtLastTick;
    private readonly long[] _hostWaitAtLastTick;
    private readonly TimeSpan _tick;
    private readonly TimeSpan _wait;
    private readonly long _tickNanoseconds;
    private readonly ManualResetEvent _stop = new(false);
    private readonly Thread _thread;
    private long _lastTickAt;
    private bool _preempting;

    /// <param name="vcpus">The dispatcher's vCPUs.</param>
    /// <param name="queues">Its run queues, asked whether work waits for a vCPU.</param>
    /// <param name="runLength">The tick: how long a run may hold a vCPU that others wait for (at least 1 ms).</param>
    /// <param name="preempt">Raises (true) or lowers (false) the end-every-run signal.</param>
    /// <param name="name">The ticking thread's name.</param>
    public RunPreemption(Vcpu[] vcpus, RunQueues queues, TimeSpan runLength, Action<bool> preempt, string name)
    {
        _vcpus = vcpus;
        _queues = queues;
        _preempt = preempt;
        _runsAtLastTick = new long[vcpus.Length];
        _hostWaitAtLastTick = new long[vcpus.Length];
        Array.Fill(_hostWaitAtLastTick, -1);
        _tick = runLength < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : runLength;
        _tickNanoseconds = (long)_tick.TotalNanoseconds;
        // WaitOne takes at most int.MaxValue ms (about 24.8 days); a longer tick means "practically never" anyway.
        _wait = _tick.TotalMilliseconds > int.MaxValue ? TimeSpan.FromMilliseconds(int.MaxValue) : _tick;
        // A thread of its own rather than a System.Threading.Timer: a timer's callback is a thread-pool work item, so
        // every tick woke the timer thread and then a pool worker, which spins before it parks again — about 5 % of
        // a core at 1 ms, taken from the vCPUs on a machine with as many CPUs as vCPUs.
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _lastTickAt = Stopwatch.GetTimestamp();
        _thread.UnsafeStart();
    }

    /// <summary>Stops the ticks and waits for the one under way, if any.</summary>
    public void Dispose()
    {
        _stop.Set();
        if (Thread.CurrentThread != _thread) _thread.Join();
        _stop.Dispose();
    }

    private void Loop()
    {
        while (!_stop.WaitOne(_wait)) Tick();
    }

    private void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        var interval = (long)Stopwatch.GetElapsedTime(_lastTickAt, now).TotalNanoseconds;
        _lastTickAt = now;
        var overrun = false;
        for (var i = 0; i < _vcpus.Length; i++)
        {
            var v = _vcpus[i];
            var runs = Volatile.Read(ref v.Counters.Runs);
            var stuck = runs == _runsAtLastTick[i] && v.State == VcpuState.Running && _queues.HasWaiting(v);
            _runsAtLastTick[i] = runs;
            if (!stuck) _hostWaitAtLastTick[i] = -1;
            else if (HeldThroughTheTick(i, v, interval)) overrun = true;
        }
        if (overrun == _preempting) return;
        _preempting = overrun;
        _preempt(overrun);
    }

    // The same run was seen at the previous tick. Where the host's wait is known, the run held its vCPU if its thread
    // spent at least half the tick on a CPU or blocked in the handler rather than waiting for a CPU; the first tick
    // that sees it only notes the wait (the next one judges), so a suspect costs a read and the steady state none.
    private bool HeldThroughTheTick(int i, Vcpu v, long interval)
    {
        if (v.HostWait?.WaitedNanoseconds() is not { } waited) return true;
        var before = _hostWaitAtLastTick[i];
        _hostWaitAtLastTick[i] = waited;
        if (before < 0) return false;
        return interval - (waited - before) >= _tickNanoseconds / 2;
    }
}
