namespace M3Actors.Smp;

/// <summary>The part an actor plays for placement; only <see cref="SchedulingPolicy.Asymmetric"/> treats the roles differently.</summary>
public enum VcpuRole
{
    /// <summary>An ordinary actor (the default): under <c>asymmetric</c> it runs on the non-reserved vCPUs.</summary>
    Client,

    /// <summary>A server actor: under <c>asymmetric</c> it runs on a reserved vCPU, one server per core where possible.</summary>
    Server,
}
