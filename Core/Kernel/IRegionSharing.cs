namespace M3Actors.Kernel;

/// <summary>
/// What a kernel over a region shared between OS processes needs from the transport that maps it (Core never
/// references the transport): the process-shared lock word of a slot's record, a port for an endpoint another
/// process owns (it wakes that process), the operating-system id of an attached process for /proc, and the copy
/// windows that let vcopy reach a buffer of another process. A kernel over a private region has none of this and
/// keeps its in-process locks and ports.
/// </summary>
internal interface IRegionSharing : IDisposable
{
    /// <summary>Takes the process-shared lock of <paramref name="slot"/>'s record (held by one thread of this
    /// process at a time: the slot's in-process lock is taken first).</summary>
    void Lock(int slot);

    /// <summary>Releases what <see cref="Lock"/> took.</summary>
    void Unlock(int slot);

    /// <summary>
    /// The port for <paramref name="slot"/>'s binding owned by process <paramref name="processIndex"/>: its
    /// <see cref="IEndpointPort.Completed"/> and <see cref="IEndpointPort.Pending"/> ask that process to call its
    /// own port for the slot (see <see cref="IpcKernel.WakeOwner"/>).
    /// </summary>
    IEndpointPort ForeignPort(int slot, int processIndex);

    /// <summary>The futex wait of a thread owner of <paramref name="slot"/> on its own record (bound here).</summary>
    IRecordWait RecordWait(int slot);

    /// <summary>The pid of the process attached at <paramref name="processIndex"/>, or 0 once it has left.</summary>
    int ProcessIdOf(int processIndex);

    /// <summary>
    /// Publishes buffer <paramref name="id"/> that local <paramref name="owner"/> registered (under its slot lock),
    /// when <paramref name="region"/> lies in this process's copy window: a copy run by another process of the VM can
    /// then reach it. A region elsewhere stays reachable from this process only.
    /// </summary>
    void Granted(Proc owner, int id, Memory<byte> region, BufferAccess access);

    /// <summary>Withdraws what <see cref="Granted"/> published for an unregistered buffer (under the slot
    /// lock).</summary>
    void Revoked(Proc owner, int id);

    /// <summary>
    /// [offset, offset + bytes) of buffer <paramref name="address"/> of <paramref name="party"/>, an endpoint of
    /// another process, in that process's copy window mapped here; or the status and why not (as
    /// <see cref="BufferTable.Check"/>). Called under the party's slot lock.
    /// </summary>
    IpcStatus ForeignRegion(Proc party, BufferAddress address, int bytes, BufferAccess needed, out Memory<byte> region,
        out string? why);
}
