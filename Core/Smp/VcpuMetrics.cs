using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace M3Actors.Smp;

/// <summary>
/// Publishes every live vCPU dispatcher's counters through the <c>M3Actors</c> meter, tagged by actor system,
/// dispatcher and vCPU.
/// </summary>
internal static class VcpuMetrics
{
    public const string MeterName = "M3Actors";

    /// <summary>The process's one <c>M3Actors</c> meter; the VM kernel counters (<see cref="VmMetrics"/>) use it.</summary>
    internal static readonly Meter Meter = new(MeterName);
    private static readonly Lock Gate = new();
    private static readonly List<VcpuDispatcher> Live = [];

    static VcpuMetrics()
    {
        Counter("m3actors.vcpu.kernel_entries", "{call}", "IPC primitive calls (kernel entries)", s => s.KernelEntries);
        Counter("m3actors.vcpu.ipc_deliveries", "{message}", "IPC messages handed to endpoints", s => s.IpcDeliveries);
        Counter("m3actors.vcpu.mailbox_runs", "{run}", "Run-queue items run (scheduler accesses)", s => s.MailboxRuns);
        Counter("m3actors.vcpu.messages", "{message}", "User messages dispatched to actors on the vCPU",
            s => s.Messages);
        Counter("m3actors.vcpu.steals", "{run}", "Runs taken from another vCPU's queue", s => s.Steals);
        Counter("m3actors.vcpu.migrations", "{actor}", "Actors that moved to the vCPU", s => s.Migrations);
        Meter.CreateObservableCounter("m3actors.vcpu.busy_time", () => Observe(s => s.BusyTime.TotalSeconds), "s",
            "Time spent running work");
        Meter.CreateObservableGauge("m3actors.vcpu.load", ObserveLoad, "%",
            "Busy share since the previous observation");
    }

    public static void Register(VcpuDispatcher dispatcher)
    {
        lock (Gate) Live.Add(dispatcher);
    }

    public static void Unregister(VcpuDispatcher dispatcher)
    {
        lock (Gate) Live.Remove(dispatcher);
    }

    private static void Counter(string name, string unit, string description, Func<VcpuSnapshot, long> value) =>
        Meter.CreateObservableCounter(name, () => Observe(value), unit, description);

    private static List<Measurement<T>> Observe<T>(Func<VcpuSnapshot, T> value) where T : struct
    {
        var measurements = new List<Measurement<T>>();
        foreach (var dispatcher in LiveDispatchers())
        {
            foreach (var s in dispatcher.Snapshot())
                measurements.Add(new Measurement<T>(value(s), Tags(dispatcher, s.Vcpu)));
        }
        return measurements;
    }

    private static List<Measurement<double>> ObserveLoad()
    {
        var measurements = new List<Measurement<double>>();
        var now = Stopwatch.GetTimestamp();
        foreach (var dispatcher in LiveDispatchers())
        {
            foreach (var v in dispatcher.Vcpus) measurements.Add(new(v.SampleLoadPercent(now), Tags(dispatcher, v.Id)));
        }
        return measurements;
    }

    private static KeyValuePair<string, object?>[] Tags(VcpuDispatcher dispatcher, int vcpu) =>
        [new("system", dispatcher.SystemName), new("dispatcher", dispatcher.Id), new("vcpu", vcpu)];

    private static VcpuDispatcher[] LiveDispatchers()
    {
        lock (Gate) return [.. Live];
    }
}
