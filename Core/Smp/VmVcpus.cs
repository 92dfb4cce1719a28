using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace M3Actors.Smp;

/// <summary>
/// Wires a VM's endpoint actors onto a <see cref="VcpuDispatcher"/>. A VM runs on vCPUs when its
/// <see cref="VmOptions.Vcpus"/> is set or its HOCON (the VM's or the DRVS's <c>ActorConfig</c>) has a section
/// <c>m3actors.vcpus</c>; that section is the dispatcher's own configuration (docs/smp.md), and its id is
/// <see cref="Section"/>. Vm.cs calls the three methods here and nothing else.
/// </summary>
internal static class VmVcpus
{
    /// <summary>The HOCON section and the dispatcher id of a VM's vCPUs.</summary>
    public const string Section = "m3actors.vcpus";

    private const string TypeLine = $"{Section}.type = \"M3Actors.Smp.VcpuDispatcherConfigurator, M3Actors.Core\"";

    /// <summary>The VM's config with the vCPU dispatcher type added, or unchanged when the VM has no vCPUs.</summary>
    public static Config Configure(Config config, VmOptions options)
    {
        if (options.Vcpus is { } typed)
        {
            // The typed keys win; the rest of a HOCON section (placement, throughput, …) still applies.
            config = ConfigurationFactory.ParseString(typed.ToHocon()).WithFallback(config);
        }
        if (!config.HasPath(Section)) return config;
        return ConfigurationFactory.ParseString(TypeLine).WithFallback(config);
    }

    /// <summary>
    /// Creates (and so validates) the VM's vCPU dispatcher, or returns null when the VM has none. On a bad
    /// configuration the half-made ActorSystem is terminated and a <see cref="ConfigurationException"/> naming the
    /// VM and the problem is thrown.
    /// </summary>
    public static VcpuDispatcher? Start(ActorSystem system, VmOptions options)
    {
        if (!system.Settings.Config.HasPath(Section)) return null;
        try
        {
            return VcpuDispatcher.Lookup(system, Section);
        }
        catch (Exception e)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            var cause = e as ConfigurationException ?? e.InnerException as ConfigurationException;
            throw new ConfigurationException($"VM {options.Id} '{options.Name}' cannot start its vCPUs: {cause?.Message ?? e.Message}", cause ?? e);
        }
    }

    /// <summary>Props for an actor of a VM: on its vCPUs when it has them and the props name no dispatcher.</summary>
    public static Props Route(Props props, VcpuDispatcher? vcpus) =>
        vcpus is not null && (string.IsNullOrEmpty(props.Dispatcher) || props.Dispatcher == Dispatchers.DefaultDispatcherId)
            ? props.WithDispatcher(Section)
            : props;

    /// <summary>Places the actor <paramref name="name"/> (a child of /user); throws BadRange for a hint the VM cannot honour.</summary>
    public static void Place(VcpuDispatcher? vcpus, string name, VcpuRole role, int? vcpu)
    {
        if (vcpus is null)
        {
            if (vcpu is not null) throw new IpcException(IpcStatus.BadRange, $"placement of '{name}' on vCPU {vcpu}: the VM has no vCPUs");
            return;     // a role alone means nothing without vCPUs
        }
        try
        {
            vcpus.Place($"/user/{name}", role, vcpu);
        }
        catch (ArgumentException e)
        {
            throw new IpcException(IpcStatus.BadRange, e.Message);
        }
    }

    /// <summary>The kernel's snapshot with each actor endpoint's vCPU and the per-vCPU counters added.</summary>
    public static VmSnapshot Annotate(VmSnapshot snapshot, VcpuDispatcher? vcpus)
    {
        if (vcpus is null) return snapshot;
        var byPath = vcpus.VcpusByPath();
        return snapshot with
        {
            Procs = snapshot.Procs
                .Select(p => p.Kind == Kernel.OwnerKind.Actor && byPath.TryGetValue(p.Owner, out var v) ? p with { Vcpu = v } : p)
                .ToList(),
            VcpuPolicy = vcpus.PolicyName,
            Vcpus = vcpus.Snapshot(),
        };
    }
}
