using System.Globalization;

namespace M3Actors.Smp;

/// <summary>
/// Typed vCPU settings for one VM (<see cref="VmOptions.Vcpus"/>): its endpoint actors then run on a
/// <see cref="VcpuDispatcher"/> with <see cref="Count"/> vCPUs under <see cref="Policy"/>. It is the same as writing
/// the HOCON section <c>m3actors.vcpus { vcpus, policy, reserved-vcpus, physical-cpus }</c> in the VM's
/// <see cref="VmOptions.ActorConfig"/>, and wins over that section when both are given (see docs/smp.md).
/// </summary>
public sealed record VcpuOptions
{
    /// <summary>Number of vCPUs, 1..<see cref="MaxVcpus"/>; may exceed the physical CPUs. Default: the number of CPUs.</summary>
    public int Count { get; init; } = Environment.ProcessorCount;

    /// <summary>The scheduling policy (HOCON <c>policy</c>).</summary>
    public SchedulingPolicy Policy { get; init; } = SchedulingPolicy.Symmetric;

    /// <summary>Under <see cref="SchedulingPolicy.Asymmetric"/>: vCPUs 0..K-1 are server cores (default 1). Must be null otherwise.</summary>
    public int? ReservedVcpus { get; init; }

    /// <summary>Physical CPUs to pin to, round-robin; null means the CPUs this process may run on.</summary>
    public IReadOnlyList<int>? PhysicalCpus { get; init; }

    /// <summary>The largest vCPU count a VM accepts.</summary>
    public const int MaxVcpus = 1024;

    /// <summary>Shorthand: <paramref name="count"/> vCPUs under <paramref name="policy"/>.</summary>
    public static VcpuOptions Of(int count, SchedulingPolicy policy, int? reservedVcpus = null) =>
        new() { Count = count, Policy = policy, ReservedVcpus = reservedVcpus };

    /// <summary>Throws <see cref="IpcException"/> (BadRange) for a value the dispatcher cannot run with.</summary>
    internal void Validate()
    {
        if (Count is < 1 or > MaxVcpus) throw Bad($"vCPU count {Count} is outside 1..{MaxVcpus}");
        if (!Enum.IsDefined(Policy)) throw Bad($"scheduling policy {(int)Policy} is not one of symmetric, affinity-static, affinity-dynamic, asymmetric");
        if (Policy == SchedulingPolicy.Asymmetric)
        {
            var reserved = ReservedVcpus ?? 1;
            if (reserved < 1 || reserved >= Count)
                throw Bad($"asymmetric needs 1..{Count - 1} reserved vCPUs out of {Count} so that servers and clients both have one, got {reserved}");
        }
        else if (ReservedVcpus is not null)
        {
            throw Bad($"reserved vCPUs only apply to the asymmetric policy, not {SchedulingPolicyNames.Format(Policy)}");
        }
        if (PhysicalCpus is { } cpus && (cpus.Count == 0 || cpus.Any(c => c < 0)))
            throw Bad("physical CPUs, when given, must be a non-empty list of CPU numbers from 0");
    }

    /// <summary>The equivalent <c>m3actors.vcpus</c> HOCON keys.</summary>
    internal string ToHocon()
    {
        var lines = new List<string>
        {
            $"vcpus = {Count.ToString(CultureInfo.InvariantCulture)}",
            $"policy = {SchedulingPolicyNames.Format(Policy)}",
        };
        if (Policy == SchedulingPolicy.Asymmetric) lines.Add($"reserved-vcpus = {(ReservedVcpus ?? 1).ToString(CultureInfo.InvariantCulture)}");
        if (PhysicalCpus is { } cpus) lines.Add($"physical-cpus = [{string.Join(", ", cpus.Select(c => c.ToString(CultureInfo.InvariantCulture)))}]");
        return $"{VmVcpus.Section} {{\n  {string.Join("\n  ", lines)}\n}}";
    }

    private static IpcException Bad(string why) => new(IpcStatus.BadRange, $"VM vCPUs: {why}");
}
