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

    /// <summary>The scheduling policy (HOCON <c>policy</c>; default: the reference configuration's, symmetric).</summary>
    public SchedulingPolicy Policy { get; init; } = DefaultPolicy;

    /// <summary>Under <see cref="SchedulingPolicy.Asymmetric"/>: vCPUs 0..K-1 are server cores (default 1). Must be null otherwise.</summary>
    public int? ReservedVcpus { get; init; }

    /// <summary>Physical CPUs to pin to, round-robin; null means the CPUs this process may run on.</summary>
    public IReadOnlyList<int>? PhysicalCpus { get; init; }

    /// <summary>The largest vCPU count a VM accepts, from HOCON as from code.</summary>
    public const int MaxVcpus = 1024;

    /// <summary>Shorthand: <paramref name="count"/> vCPUs under <paramref name="policy"/>.</summary>
    public static VcpuOptions Of(int count, SchedulingPolicy policy, int? reservedVcpus = null) =>
        new() { Count = count, Policy = policy, ReservedVcpus = reservedVcpus };

    /// <summary>The reserved vCPUs under asymmetric when none are given (HOCON and typed alike).</summary>
    internal static int DefaultReservedVcpus { get; } =
        M3ActorsConfig.DefaultInt($"{VmVcpus.Section}.reserved-vcpus") ?? throw NoDefault("reserved-vcpus");

    private static SchedulingPolicy DefaultPolicy { get; } = SchedulingPolicyNames.Parse(
        M3ActorsConfig.DefaultString($"{VmVcpus.Section}.policy") ?? throw NoDefault("policy"), VmVcpus.Section);

    /// <summary>Throws <see cref="IpcException"/> (BadRange) for a value the dispatcher cannot run with.</summary>
    internal void Validate()
    {
        // The same checks as the HOCON path (VcpuDispatcherSettings), so both accept the same ranges.
        Fail(CountError(Count, "VcpuOptions.Count"));
        if (!Enum.IsDefined(Policy))
            Fail($"scheduling policy {(int)Policy} is not one of symmetric, affinity-static, affinity-dynamic, asymmetric");
        Fail(ReservedError(Policy, Count, ReservedVcpus, "VcpuOptions.ReservedVcpus"));
        Fail(PhysicalCpusError(PhysicalCpus, "VcpuOptions.PhysicalCpus"));
    }

    /// <summary>Why <paramref name="count"/> vCPUs are refused (named <paramref name="name"/>), or null.</summary>
    internal static string? CountError(int count, string name) =>
        count is < 1 or > MaxVcpus ? $"{name} = {count} is outside 1..{MaxVcpus}" : null;

    /// <summary>Why <paramref name="reserved"/> (null: not given) is refused under the policy, or null.</summary>
    internal static string? ReservedError(SchedulingPolicy policy, int count, int? reserved, string name)
    {
        if (policy != SchedulingPolicy.Asymmetric)
            return reserved is null
                ? null
                : $"{name} only applies to the asymmetric policy, not {SchedulingPolicyNames.Format(policy)}";
        var k = reserved ?? DefaultReservedVcpus;
        return k >= 1 && k < count
            ? null
            : $"{name} = {k}: asymmetric needs 1..{count - 1} reserved vCPUs out of {count} so that servers and " +
              "clients both have one";
    }

    /// <summary>Why the physical CPU list (null: not given) is refused, or null.</summary>
    internal static string? PhysicalCpusError(IReadOnlyList<int>? cpus, string name) =>
        cpus is { } list && (list.Count == 0 || list.Any(c => c < 0))
            ? $"{name}, when given, must be a non-empty list of CPU numbers from 0"
            : null;

    /// <summary>The equivalent <c>m3actors.vcpus</c> HOCON keys.</summary>
    internal string ToHocon()
    {
        var lines = new List<string>
        {
            $"vcpus = {Count.ToString(CultureInfo.InvariantCulture)}",
            $"policy = {SchedulingPolicyNames.Format(Policy)}",
        };
        if (Policy == SchedulingPolicy.Asymmetric)
        {
            var reserved = ReservedVcpus ?? DefaultReservedVcpus;
            lines.Add($"reserved-vcpus = {reserved.ToString(CultureInfo.InvariantCulture)}");
        }
        if (PhysicalCpus is { } cpus) lines.Add($"physical-cpus = [{string.Join(", ", cpus.Select(c => c.ToString(CultureInfo.InvariantCulture)))}]");
        return $"{VmVcpus.Section} {{\n  {string.Join("\n  ", lines)}\n}}";
    }

    private static void Fail(string? why)
    {
        if (why is not null) throw new IpcException(IpcStatus.BadRange, $"VM vCPUs: {why}");
    }

    private static InvalidOperationException NoDefault(string key) =>
        new($"reference.conf has no default for {VmVcpus.Section}.{key}");
}
