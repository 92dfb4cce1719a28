using System.Diagnostics.Metrics;
using M3Actors.Kernel;
using M3Actors.Smp;

namespace M3Actors;

/// <summary>
/// Publishes every running VM's kernel counters through the <c>M3Actors</c> meter, tagged with the VM's id and name.
/// The instruments are observable: a collection reads the kernel's existing counters (see
/// <see cref="IpcKernel.ReadCounters"/>), so the IPC paths do no extra work for them. A VM is listed from its start to
/// its end; an ended VM's series simply stop.
/// </summary>
internal static class VmMetrics
{
    private const string IdTag = "m3actors.vm.id";
    private const string NameTag = "m3actors.vm.name";

    private static readonly Lock Gate = new();
    private static readonly List<Vm> Live = [];

    static VmMetrics()
    {
        var meter = VcpuMetrics.Meter;
        meter.CreateObservableCounter("m3actors.vm.messages", () => ObserveCounters(c => c.Messages), "{message}",
            "Messages delivered by send, sendrec and reply");
        meter.CreateObservableCounter("m3actors.vm.notifications", () => ObserveCounters(c => c.Notifications),
            "{notification}", "Notifications posted");
        meter.CreateObservableCounter("m3actors.vm.copies", () => ObserveCounters(c => c.Copies), "{copy}",
            "vcopy calls that copied");
        meter.CreateObservableCounter("m3actors.vm.bytes_copied", () => ObserveCounters(c => c.BytesCopied), "By",
            "Bytes copied by vcopy");
        meter.CreateObservableCounter("m3actors.vm.locked", () => Observe(k => k.LockedRefusals), "{call}",
            "Calls refused with Locked because blocking would close a cycle");
        meter.CreateObservableCounter("m3actors.vm.timeouts", () => Observe(k => k.Timeouts), "{call}",
            "Blocked calls ended by their timeout or cancellation");
        meter.CreateObservableCounter("m3actors.vm.deaths", () => Observe(k => k.Deaths), "{call}",
            "Blocked calls released with SrcDied or DstDied because their partner ended");
        meter.CreateObservableGauge("m3actors.vm.blocked_endpoints", ObserveBlocked, "{endpoint}",
            "Endpoints blocked in a call, by state (sending, receiving, sendrec)");
    }

    /// <summary>Lists a VM that has started.</summary>
    public static void Register(Vm vm)
    {
        lock (Gate) Live.Add(vm);
    }

    /// <summary>Drops a VM that has ended; dropping it twice does nothing.</summary>
    public static void Unregister(Vm vm)
    {
        lock (Gate) Live.Remove(vm);
    }

    private static List<Measurement<long>> ObserveCounters(Func<KernelCounters, long> value)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var vm in LiveVms()) measurements.Add(new(value(vm.Kernel.ReadCounters()), Tags(vm)));
        return measurements;
    }

    private static List<Measurement<long>> Observe(Func<IpcKernel, long> value)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var vm in LiveVms()) measurements.Add(new(value(vm.Kernel), Tags(vm)));
        return measurements;
    }

    private static List<Measurement<int>> ObserveBlocked()
    {
        var measurements = new List<Measurement<int>>();
        foreach (var vm in LiveVms())
        {
            var blocked = vm.Kernel.CountBlocked();
            measurements.Add(new(blocked.Sending, Tags(vm, "sending")));
            measurements.Add(new(blocked.Receiving, Tags(vm, "receiving")));
            measurements.Add(new(blocked.SendRec, Tags(vm, "sendrec")));
        }
        return measurements;
    }

    private static KeyValuePair<string, object?>[] Tags(Vm vm) => [new(IdTag, vm.Id), new(NameTag, vm.Name)];

    private static KeyValuePair<string, object?>[] Tags(Vm vm, string state) =>
        [new(IdTag, vm.Id), new(NameTag, vm.Name), new("state", state)];

    // A copy, so a VM starting or ending during a collection neither blocks on nor breaks the enumeration.
    private static Vm[] LiveVms()
    {
        lock (Gate) return [.. Live];
    }
}
