using Microsoft.Extensions.DependencyInjection;

namespace M3Actors.Hosting;

/// <summary>
/// Registers, in code, what <see cref="M3ActorsServiceCollectionExtensions.AddM3Actors(IServiceCollection,
/// Microsoft.Extensions.Configuration.IConfiguration?, Action{M3ActorsBuilder}?)"/> starts with the host: the DRVS's
/// options, VMs, and the endpoints (server actors, threads, tasks) to start in each VM once all VMs are up.
/// </summary>
public sealed class M3ActorsBuilder
{
    private readonly HostingPlan _plan;

    internal M3ActorsBuilder(IServiceCollection services, HostingPlan plan)
    {
        Services = services;
        _plan = plan;
    }

    /// <summary>The host's services, to register what the endpoints need.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Uses <paramref name="options"/> for the DRVS, instead of the configured HOCON and typed keys.</summary>
    public M3ActorsBuilder WithDrvs(DrvsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _plan.Drvs = options;
        return this;
    }

    /// <summary>
    /// Adds DRVS HOCON (<c>m3actors.drvs { ... }</c> and Akka settings for every VM) after the configured
    /// <see cref="M3ActorsOptions.Hocon"/>, so its keys win over the configured ones.
    /// </summary>
    public M3ActorsBuilder WithHocon(string hocon)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hocon);
        Services.Configure<M3ActorsOptions>(o =>
            o.Hocon = string.IsNullOrWhiteSpace(o.Hocon) ? hocon : $"{o.Hocon}\n{hocon}");
        return this;
    }

    /// <summary>Starts the VM <paramref name="options"/> with the host, then <paramref name="endpoints"/> in it.</summary>
    public M3ActorsBuilder AddVm(VmOptions options, Action<Vm, IServiceProvider>? endpoints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _plan.Vms.Add(options);
        return endpoints is null ? this : WithEndpoints(options.Id, endpoints);
    }

    /// <summary>
    /// Runs <paramref name="start"/> with VM <paramref name="vmId"/> (configured or added in code) once every VM is
    /// up, e.g. <c>(vm, services) =&gt; vm.ActorOf(Props.Create(() =&gt; new FsServer()), "fs")</c>. A VM id that
    /// no VM has fails the host's start with <see cref="IpcStatus.BadVmId"/>.
    /// </summary>
    public M3ActorsBuilder WithEndpoints(int vmId, Action<Vm, IServiceProvider> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        _plan.Endpoints.Add((vmId, start));
        return this;
    }
}
