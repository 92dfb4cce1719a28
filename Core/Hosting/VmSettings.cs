namespace M3Actors.Hosting;

/// <summary>
/// One VM as configuration keys (<c>M3Actors:Vms:0:Id</c>, <c>...:Name</c>, ...). Unset slot counts keep the
/// <see cref="VmOptions"/> defaults; <see cref="Hocon"/> becomes the VM's <see cref="VmOptions.ActorConfig"/>.
/// </summary>
public sealed class VmSettings
{
    /// <summary>The VM id (required).</summary>
    public int? Id { get; set; }
    /// <summary>The VM name (required): 1 to 15 letters, digits, '-' or '_'.</summary>
    public string? Name { get; set; }
    /// <summary>Slots for well-known servers.</summary>
    public int? SystemSlots { get; set; }
    /// <summary>Slots for user endpoints.</summary>
    public int? UserSlots { get; set; }
    /// <summary>Nodes the VM spans; unset means just this node.</summary>
    public List<int>? Nodes { get; set; }
    /// <summary>HOCON for the VM's ActorSystem, e.g. <c>m3actors.vcpus { vcpus = 2, policy = affinity-static }</c>.</summary>
    public string? Hocon { get; set; }

    /// <summary>
    /// The VM options. Throws <see cref="IpcException"/> (BadRange) naming <paramref name="key"/> when the id or the
    /// name is missing; the other values are checked when the VM starts, as for any <see cref="VmOptions"/>.
    /// </summary>
    public VmOptions ToVmOptions(string key)
    {
        if (Id is not { } id) throw new IpcException(IpcStatus.BadRange, $"configuration {key} has no Id");
        if (Name is not { } name) throw new IpcException(IpcStatus.BadRange, $"configuration {key} (VM {id}) has no Name");
        var options = new VmOptions { Id = id, Name = name, ActorConfig = M3ActorsOptions.Parse(Hocon) };
        return options with
        {
            SystemSlots = SystemSlots ?? options.SystemSlots,
            UserSlots = UserSlots ?? options.UserSlots,
            Nodes = Nodes is null ? options.Nodes : Nodes.ToHashSet(),
        };
    }
}
