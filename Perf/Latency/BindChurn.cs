using System.Diagnostics;

namespace M3Actors.Perf.Latency;

/// <summary>
/// Bind and unbind of one endpoint every 1 ms (a thread endpoint coming and going, as short-lived clients do). The
/// slot is ≡ the pair's server slot mod 64, so with striped locks it shares the pair's stripe as well as whatever
/// bind takes VM-wide.
/// </summary>
internal sealed class BindChurn(Vm vm, CpuPlan cpus) : Churn(vm, cpus)
{
    /// <summary>The slot bound and unbound.</summary>
    internal const int Slot = MeasuredPair.ServerSlot + 128;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(1);

    /// <inheritdoc />
    protected override void StartThreads() => Run("bind churn", () =>
    {
        var next = Stopwatch.GetTimestamp();
        while (!Stopping)
        {
            Vm.Bind(Slot, "bind churn").Dispose();
            Started();
            next += (long)(Interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            else next = Stopwatch.GetTimestamp();
        }
    });
}
