namespace M3Actors.Kernel;

/// <summary>
/// What a kernel over a region shared between OS processes needs from the transport that maps it (Core never
/// references the transport): the process-shared lock word of a slot's record, a port for an endpoint another
/// process owns (it wakes that process), and the operating-system id of an attached process for /proc. A kernel
/// over a private region has none of this and keeps its in-process locks and ports.
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
}
