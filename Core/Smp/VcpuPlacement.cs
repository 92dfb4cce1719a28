namespace M3Actors.Smp;

/// <summary>A placement request for one actor path: its role and, optionally, the vCPU it should start on.</summary>
/// <param name="Role">Server or client; decides the vCPU range under <see cref="SchedulingPolicy.Asymmetric"/>.</param>
/// <param name="Vcpu">The vCPU id to place the actor on, or null for round-robin within the role's range.</param>
internal readonly record struct VcpuPlacement(VcpuRole Role, int? Vcpu = null);
