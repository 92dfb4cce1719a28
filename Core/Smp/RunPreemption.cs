namespace M3Actors.Smp;

/// <summary>
/// Ends a mailbox run that has held its vCPU for a whole tick (the run length) while other work waits for that vCPU,
/// like a timer interrupt. Akka's mailbox loop (1.5) reads the dispatcher's <c>ThroughputDeadlineTime</c> once at the
/// start of a run as an absolute time on its own clock, and then, after each message, ends the run if the property
/// has a value and its clock is past that time. A vCPU dispatcher never stores a time there, so every run reads 0:
/// while the property is null, runs end by <c>throughput</c> as usual and Akka reads no clock; once a tick sets it to
/// 0, every run ends after the message it is handling. The tick raises it when a vCPU is still in the run it was in
/// at the previous tick with work queued behind it, and lowers it once no vCPU is, so the hot path pays nothing.
/// </summary>
internal sealed class RunPreemption : IDisposable
{
    private readonly Vcpu[] _vcpus;
    private readonly RunQueues _queues;
    private readonly Action<bool> _preempt;
    private readonly long[] _runsAtLastTick;
    private readonly Lock _tick = new();
    private readonly Timer _timer;
    private bool _preempting;

    /// <param name="vcpus">The dispatcher's vCPUs.</param>
    /// <param name="queues">Its run queues, asked whether work waits for a vCPU.</param>
    /// <param name="runLength">The tick: how long a run may hold a vCPU that others wait for (at least 1 ms).</param>
    /// <param name="preempt">Raises (true) or lowers (false) the end-every-run signal.</param>
    public RunPreemption(Vcpu[] vcpus, RunQueues queues, TimeSpan runLength, Action<bool> preempt)
    {
        _vcpus = vcpus;
        _queues = queues;
        _preempt = preempt;
        _runsAtLastTick = new long[vcpus.Length];
        var tick = runLength < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : runLength;
        _timer = new Timer(_ => Tick(), null, tick, tick);
    }

    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        // A late tick may overlap the next one: the skipped one would see the same counts.
        if (!_tick.TryEnter()) return;
        try
        {
            var overrun = false;
            for (var i = 0; i < _vcpus.Length; i++)
            {
                var v = _vcpus[i];
                var runs = Volatile.Read(ref v.Counters.Runs);
                if (runs == _runsAtLastTick[i] && v.State == VcpuState.Running && _queues.HasWaiting(v)) overrun = true;
                _runsAtLastTick[i] = runs;
            }
            if (overrun == _preempting) return;
            _preempting = overrun;
            _preempt(overrun);
        }
        finally
        {
            _tick.Exit();
        }
    }
}
