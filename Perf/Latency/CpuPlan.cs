using M3Actors.Smp;

namespace M3Actors.Perf.Latency;

/// <summary>
/// Where the latency benchmark's threads run: the measured pair on one CPU, every background thread on another, so
/// a background churn cannot take the pair's CPU and what the churn series show is interference through the kernel
/// (locks, shared state), with the control VM series showing what remains without it. With fewer than two CPUs
/// allowed nothing is pinned, and the report says so.
/// </summary>
public sealed record CpuPlan(int MeasuredCpu, int BackgroundCpu, bool Pinned)
{
    /// <summary>The first two CPUs this process may use, or no pinning when it may use only one.</summary>
    public static CpuPlan Choose()
    {
        var cpus = CpuAffinity.IsSupported ? CpuAffinity.AllowedCpus() : [];
        return cpus.Length >= 2 ? new CpuPlan(cpus[0], cpus[1], Pinned: true) : new CpuPlan(-1, -1, Pinned: false);
    }

    /// <summary>Pins the calling thread to the measured pair's CPU.</summary>
    public void PinMeasured() => Pin(MeasuredCpu);

    /// <summary>Pins the calling thread to the background CPU; threads it starts inherit the pinning.</summary>
    public void PinBackground() => Pin(BackgroundCpu);

    /// <summary>"measured pair on CPU 0, background on CPU 1", or why nothing was pinned.</summary>
    public override string ToString() => Pinned
        ? $"measured pair on CPU {MeasuredCpu}, background on CPU {BackgroundCpu}"
        : "not pinned (fewer than 2 CPUs allowed, or no sched_setaffinity)";

    private void Pin(int cpu)
    {
        if (!Pinned) return;
        var errno = CpuAffinity.TryPinCurrentThread(cpu);
        if (errno != 0)
        {
            throw new InvalidOperationException($"sched_setaffinity to CPU {cpu} failed with errno {errno}.");
        }
    }
}
