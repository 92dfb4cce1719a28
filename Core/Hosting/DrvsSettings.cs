namespace M3Actors.Hosting;

/// <summary>
/// The DRVS limits as configuration keys (<c>M3Actors:Drvs:NodeId</c>, ...); an unset key keeps the value from the
/// HOCON <c>m3actors.drvs</c> section or its embedded default. See <see cref="DrvsOptions"/> for ranges.
/// </summary>
public sealed class DrvsSettings
{
    /// <summary>This node's id.</summary>
    public int? NodeId { get; set; }
    /// <summary>Largest number of VMs.</summary>
    public int? MaxVms { get; set; }
    /// <summary>Largest number of nodes.</summary>
    public int? MaxNodes { get; set; }
    /// <summary>Largest number of endpoint slots in one VM.</summary>
    public int? MaxEndpointsPerVm { get; set; }
    /// <summary>Largest vcopy length in bytes.</summary>
    public int? MaxCopyBytes { get; set; }
}
