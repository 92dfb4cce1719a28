namespace M3Actors;

/// <summary>One endpoint in a /proc snapshot.</summary>
/// <param name="Slot">Slot number.</param>
/// <param name="Endpoint">Endpoint value.</param>
/// <param name="Owner">Who owns it: the actor path, or the thread/task name.</param>
/// <param name="Kind">Actor or thread.</param>
/// <param name="State">Readable state: RUNNING, SENDING to X, RECEIVING from Y, SENDREC waiting for Z, READY.</param>
/// <param name="SendTo">The endpoint it is blocked sending to, or NONE.</param>
/// <param name="GetFrom">The endpoint (or ANY) it is blocked receiving from, or NONE.</param>
/// <param name="QueuedSenders">Endpoints blocked sending to it, in FIFO order.</param>
/// <param name="PendingNotifies">Notifications waiting for its next receive.</param>
/// <param name="Sent">Messages it has sent.</param>
/// <param name="Received">Messages and notifications it has received.</param>
/// <param name="Buffers">Registered vcopy buffers.</param>
public sealed record ProcSnapshot(
    int Slot, Endpoint Endpoint, string Owner, Kernel.OwnerKind Kind, string State, Endpoint SendTo, Endpoint GetFrom,
    IReadOnlyList<Endpoint> QueuedSenders, int PendingNotifies, long Sent, long Received, int Buffers)
{
    /// <summary>The vCPU of an actor endpoint on the VM's vCPUs (where its mailbox runs now); null otherwise.</summary>
    public int? Vcpu { get; init; }

    /// <summary>The OS process that owns the endpoint (this one, unless the VM is shared between processes).</summary>
    public int ProcessId { get; init; }

    /// <summary>The node that hosts a remote endpoint (a ghost, <see cref="Kernel.OwnerKind.Remote"/>); null for a local one.</summary>
    public int? Node { get; init; }
}

/// <summary>One VM in a /proc snapshot, with its counters (the seed's /proc/vm/info, procs and stats).</summary>
/// <param name="Id">VM id.</param>
/// <param name="Name">VM name.</param>
/// <param name="Nodes">Nodes it spans.</param>
/// <param name="Running">True while running.</param>
/// <param name="Messages">Messages delivered.</param>
/// <param name="Notifications">Notify calls.</param>
/// <param name="Copies">vcopy calls that copied.</param>
/// <param name="BytesCopied">Bytes copied by vcopy.</param>
/// <param name="Procs">Bound endpoints by slot.</param>
public sealed record VmSnapshot(
    int Id, string Name, IReadOnlySet<int> Nodes, bool Running, long Messages, long Notifications, long Copies,
    long BytesCopied, IReadOnlyList<ProcSnapshot> Procs)
{
    /// <summary>The VM's scheduling policy name when it runs on vCPUs; null otherwise.</summary>
    public string? VcpuPolicy { get; init; }

    /// <summary>Each vCPU's counters (empty when the VM runs without vCPUs).</summary>
    public IReadOnlyList<Smp.VcpuSnapshot> Vcpus { get; init; } = [];
}

/// <summary>The DRVS in a /proc snapshot (the seed's /proc/drvs/info).</summary>
/// <param name="NodeId">This node.</param>
/// <param name="Options">Limits in force.</param>
/// <param name="Vms">Running VMs.</param>
public sealed record DrvsSnapshot(int NodeId, DrvsOptions Options, IReadOnlyList<VmSnapshot> Vms);
