namespace M3Actors.Hosting;

/// <summary>What the builder collected in code: typed options and the endpoints to start in each VM.</summary>
internal sealed class HostingPlan
{
    /// <summary>Typed DRVS options given in code; they replace the configured ones entirely.</summary>
    public DrvsOptions? Drvs { get; set; }

    /// <summary>VMs given in code, started after the configured ones.</summary>
    public List<VmOptions> Vms { get; } = [];

    /// <summary>Endpoint starters, run in order once every VM is up.</summary>
    public List<(int VmId, Action<Vm, IServiceProvider> Start)> Endpoints { get; } = [];
}
