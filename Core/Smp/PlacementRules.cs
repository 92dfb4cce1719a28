namespace M3Actors.Smp;

/// <summary>Which vCPUs a role may use under a policy, hint validation, and round-robin placement.</summary>
internal sealed class PlacementRules
{
    private readonly SchedulingPolicy _policy;
    private readonly int _vcpus;
    private readonly int _reserved;
    private int _nextServer = -1;
    private int _nextClient = -1;

    public PlacementRules(SchedulingPolicy policy, int vcpus, int reserved)
    {
        _policy = policy;
        _vcpus = vcpus;
        _reserved = reserved;
    }

    /// <summary>First vCPU and count of the range <paramref name="role"/> may run on.</summary>
    public (int First, int Count) RangeOf(VcpuRole role) => _policy != SchedulingPolicy.Asymmetric
        ? (0, _vcpus)
        : role == VcpuRole.Server ? (0, _reserved) : (_reserved, _vcpus - _reserved);

    /// <summary>Throws <see cref="ArgumentException"/> when the hint names a vCPU that does not exist or that the role may not use.</summary>
    public void Validate(string path, VcpuPlacement placement)
    {
        if (placement.Vcpu is not { } vcpu) return;
        if (vcpu < 0 || vcpu >= _vcpus)
            throw new ArgumentException(
                $"Placement of '{path}' names vCPU {vcpu}, but the dispatcher has vCPUs 0..{_vcpus - 1}.", nameof(placement));
        var (first, count) = RangeOf(placement.Role);
        if (vcpu < first || vcpu >= first + count)
            throw new ArgumentException(
                $"Placement of '{path}' puts a {placement.Role} on vCPU {vcpu}, but under asymmetric scheduling " +
                $"{placement.Role}s run on vCPUs {first}..{first + count - 1}.", nameof(placement));
    }

    /// <summary>The vCPU an actor starts on: its hint, else the next one round-robin within its role's range.</summary>
    public int Assign(VcpuPlacement placement)
    {
        if (placement.Vcpu is { } hinted) return hinted;
        var (first, count) = RangeOf(placement.Role);
        ref var next = ref placement.Role == VcpuRole.Server ? ref _nextServer : ref _nextClient;
        return first + (int)((uint)Interlocked.Increment(ref next) % (uint)count);
    }
}
