using Akka.Configuration;

namespace M3Actors.Hosting;

/// <summary>
/// The DRVS and VMs of a host as bound from <c>IConfiguration</c> (by convention the section <see cref="Section"/>
/// of appsettings.json, environment variables or the command line). The DRVS's HOCON comes first, then the typed
/// values here override it; a VM's own HOCON (<see cref="VmSettings.Hocon"/>) carries what has no typed key, such as
/// <c>m3actors.vcpus</c>.
/// </summary>
public sealed class M3ActorsOptions
{
    /// <summary>The conventional configuration section: <c>M3Actors</c>.</summary>
    public const string Section = "M3Actors";

    /// <summary>
    /// HOCON for the DRVS: <c>m3actors.drvs { ... }</c> and the Akka settings every VM's ActorSystem falls back to.
    /// </summary>
    public string? Hocon { get; set; }

    /// <summary>Typed DRVS limits; a value set here wins over the same key in <see cref="Hocon"/>.</summary>
    public DrvsSettings Drvs { get; set; } = new();

    /// <summary>The VMs to start with the host, in order.</summary>
    public List<VmSettings> Vms { get; set; } = [];

    /// <summary>The DRVS options: <see cref="Hocon"/> (with the embedded defaults) overridden by <see cref="Drvs"/>.</summary>
    public DrvsOptions ToDrvsOptions()
    {
        var fromHocon = DrvsOptions.FromConfig(Parse(Hocon));
        return fromHocon with
        {
            NodeId = Drvs.NodeId ?? fromHocon.NodeId,
            MaxVms = Drvs.MaxVms ?? fromHocon.MaxVms,
            MaxNodes = Drvs.MaxNodes ?? fromHocon.MaxNodes,
            MaxEndpointsPerVm = Drvs.MaxEndpointsPerVm ?? fromHocon.MaxEndpointsPerVm,
            MaxCopyBytes = Drvs.MaxCopyBytes ?? fromHocon.MaxCopyBytes,
        };
    }

    internal static Config Parse(string? hocon) =>
        string.IsNullOrWhiteSpace(hocon) ? Config.Empty : ConfigurationFactory.ParseString(hocon);
}
