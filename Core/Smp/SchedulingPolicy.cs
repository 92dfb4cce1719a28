using Akka.Configuration;

namespace M3Actors.Smp;

/// <summary>How a <see cref="VcpuDispatcher"/> decides which vCPU runs an actor's mailbox.</summary>
public enum SchedulingPolicy
{
    /// <summary>HOCON <c>symmetric</c>: one shared run queue; every vCPU competes for every actor (the Minix SMP model).</summary>
    Symmetric,

    /// <summary>HOCON <c>affinity-static</c>: each actor stays on the vCPU it was placed on (hint or round-robin).</summary>
    AffinityStatic,

    /// <summary>HOCON <c>affinity-dynamic</c>: per-vCPU run queues; an idle vCPU steals work from a busy one and the actor migrates.</summary>
    AffinityDynamic,

    /// <summary>HOCON <c>asymmetric</c>: the first <c>reserved-vcpus</c> vCPUs run server actors only, the rest run clients.</summary>
    Asymmetric,
}

/// <summary>The HOCON spelling of <see cref="SchedulingPolicy"/> values.</summary>
internal static class SchedulingPolicyNames
{
    private static readonly (string Name, SchedulingPolicy Policy)[] Names =
    [
        ("symmetric", SchedulingPolicy.Symmetric),
        ("affinity-static", SchedulingPolicy.AffinityStatic),
        ("affinity-dynamic", SchedulingPolicy.AffinityDynamic),
        ("asymmetric", SchedulingPolicy.Asymmetric),
    ];

    public static SchedulingPolicy Parse(string name, string dispatcherId)
    {
        foreach (var (known, policy) in Names)
        {
            if (known == name) return policy;
        }
        throw new ConfigurationException(
            $"Dispatcher '{dispatcherId}': unknown policy '{name}'; expected one of {string.Join(", ", Names.Select(n => n.Name))}.");
    }

    public static string Format(SchedulingPolicy policy) => Names.First(n => n.Policy == policy).Name;
}
