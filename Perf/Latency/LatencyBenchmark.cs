using System.Runtime.ExceptionServices;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Latency;

/// <summary>
/// The latency benchmark: one measured thread-endpoint pair in VM 0 runs paced round trips for the whole run while
/// the series take turns, interleaved in rounds (alone, churn, churn in the control VM 1, for each churn; the two
/// churn segments swap order every other round), so slow drift of the machine spreads over every series alike.
/// Everything but the pair runs on the background CPU, including this coordinator and the threads the VMs create.
/// </summary>
public static class LatencyBenchmark
{
    private static readonly (LatencySeries SameVm, LatencySeries OtherVm)[] Churns =
    [
        (LatencySeries.VCopy, LatencySeries.VCopyOtherVm),
        (LatencySeries.BindUnbind, LatencySeries.BindUnbindOtherVm),
        (LatencySeries.Chain, LatencySeries.ChainOtherVm),
    ];

    /// <summary>Runs the benchmark; <paramref name="progress"/> gets one line per round. Throws when a call of the
    /// pair or of a churn fails or times out.</summary>
    public static LatencyResults Run(LatencyOptions options, Action<string> progress)
    {
        var cpus = CpuPlan.Choose();
        LatencyResults? results = null;
        ExceptionDispatchInfo? failure = null;
        // A dedicated coordinator: pinning it pins every thread it starts (VM threads, churns) to the background CPU
        // without touching the caller's thread.
        var coordinator = new Thread(() =>
        {
            try
            {
                cpus.PinBackground();
                results = RunPinned(options, cpus, progress);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }) { Name = "latency coordinator" };
        coordinator.Start();
        coordinator.Join();
        failure?.Throw();
        return results!;
    }

    private static LatencyResults RunPinned(LatencyOptions options, CpuPlan cpus, Action<string> progress)
    {
        var samples = LatencySeriesInfo.All.Select(s => new LatencySamples(s, options.CapacityOf(s))).ToArray();
        using var host = M3Host.Start("latency");
        var control = host.StartVm(1, "latency-ctl");
        var churns = new Dictionary<LatencySeries, Churn>
        {
            [LatencySeries.VCopy] = new VCopyChurn(host.Vm, cpus),
            [LatencySeries.VCopyOtherVm] = new VCopyChurn(control, cpus),
            [LatencySeries.BindUnbind] = new BindChurn(host.Vm, cpus),
            [LatencySeries.BindUnbindOtherVm] = new BindChurn(control, cpus),
            [LatencySeries.Chain] = new ChainChurn(host.Vm, cpus),
            [LatencySeries.ChainOtherVm] = new ChainChurn(control, cpus),
        };
        var pair = new MeasuredPair(host.Vm, cpus, options, samples);
        pair.Start();
        Thread.Sleep(options.WarmUp);
        for (var round = 0; round < options.Rounds; round++)
        {
            progress($"latency round {round + 1}/{options.Rounds} ({cpus})");
            foreach (var (sameVm, otherVm) in Churns)
            {
                Segment(pair, null, LatencySeries.Alone, options.Segment);
                var first = round % 2 == 0 ? sameVm : otherVm;
                var second = round % 2 == 0 ? otherVm : sameVm;
                Segment(pair, churns[first], first, options.Segment);
                Segment(pair, churns[second], second, options.Segment);
            }
        }
        pair.Stop();
        return new LatencyResults(cpus, options, samples.Select(s => s.Summarise()).ToList());
    }

    // The churn starts (and binds its endpoints) before recording and stops after it.
    private static void Segment(MeasuredPair pair, Churn? churn, LatencySeries series, TimeSpan length)
    {
        churn?.Start();
        pair.Record(series);
        Thread.Sleep(length);
        pair.Pause();
        churn?.Stop();
    }
}
