using System.Globalization;
using System.Text;

namespace M3Actors;

/// <summary>Renders /proc snapshots as text, one table per VM, so who is blocked on whom reads at a glance.</summary>
public static class ProcView
{
    /// <summary>The whole DRVS: info, then each VM's info, stats and procs.</summary>
    public static string Render(DrvsSnapshot drvs)
    {
        ArgumentNullException.ThrowIfNull(drvs);
        var text = new StringBuilder();
        var o = drvs.Options;
        text.AppendLine($"/proc/drvs/info  node={drvs.NodeId} max-vms={o.MaxVms} max-nodes={o.MaxNodes} " +
                        $"max-endpoints={o.MaxEndpointsPerVm} max-copy={o.MaxCopyBytes}");
        foreach (var vm in drvs.Vms) text.Append(Render(vm));
        return text.ToString();
    }

    /// <summary>One VM: info, stats and the procs table.</summary>
    public static string Render(VmSnapshot vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var text = new StringBuilder();
        text.AppendLine($"/proc/vm{vm.Id}/info   name={vm.Name} nodes=[{string.Join(",", vm.Nodes.Order())}] " +
                        $"state={(vm.Running ? "RUNNING" : "ENDED")}");
        text.AppendLine($"/proc/vm{vm.Id}/stats  messages={vm.Messages} notifies={vm.Notifications} " +
                        $"copies={vm.Copies} bytes-copied={vm.BytesCopied}");
        text.AppendLine($"/proc/vm{vm.Id}/procs");
        // The node column appears only in a VM that has ghosts (endpoints hosted on other nodes).
        var nodes = vm.Procs.Any(p => p.Node is not null);
        text.AppendLine($"  {"slot",4} {"endpoint",-9} {"kind",-6} {"state",-34} {"queue",-14} {"ntf",3} {"vcpu",4} {"sent",8} {"recv",8}  {(nodes ? "node  " : "")}owner");
        foreach (var p in vm.Procs)
        {
            var queue = p.QueuedSenders.Count == 0 ? "-" : string.Join(",", p.QueuedSenders);
            text.AppendLine($"  {p.Slot,4} {p.Endpoint,-9} {p.Kind,-6} {p.State,-34} {queue,-14} {p.PendingNotifies,3} {p.Vcpu?.ToString(CultureInfo.InvariantCulture) ?? "-",4} " +
                            $"{p.Sent,8} {p.Received,8}  {(nodes ? $"{p.Node?.ToString(CultureInfo.InvariantCulture) ?? "-",-4}  " : "")}{p.Owner}");
        }
        if (vm.Vcpus.Count > 0) text.Append(RenderVcpus(vm));
        return text.ToString();
    }

    /// <summary>The per-vCPU counters of a VM that runs on vCPUs (see docs/smp.md for what each counts).</summary>
    public static string RenderVcpus(VmSnapshot vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var text = new StringBuilder();
        text.AppendLine($"/proc/vm{vm.Id}/vcpus  policy={vm.VcpuPolicy} vcpus={vm.Vcpus.Count}");
        text.AppendLine($"  {"vcpu",4} {"cpu",4} {"kernel",9} {"runs",9} {"messages",9} {"deliveries",10} {"steals",7} {"migrations",10} {"load%",6}");
        foreach (var v in vm.Vcpus)
        {
            var cpu = v.PhysicalCpu < 0 ? "-" : v.PhysicalCpu.ToString(CultureInfo.InvariantCulture);
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {v.Vcpu,4} {cpu,4} {v.KernelEntries,9} {v.MailboxRuns,9} {v.Messages,9} {v.IpcDeliveries,10} {v.Steals,7} {v.Migrations,10} {v.LoadPercent,6:0.0}"));
        }
        return text.ToString();
    }
}
