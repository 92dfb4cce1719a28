using M3Actors.Kernel;
using M3Actors.Transport;

namespace M3Actors.TransportHost;

/// <summary>
/// A <see cref="SharedKernel"/> whose release of one slot's lock, or wakeup of that slot's foreign owner, stops
/// the calling thread for good after printing <c>fault stopped &lt;point&gt;</c>: the test then kills the process
/// exactly there, as a kill -9 between a completion's steps would.
/// </summary>
internal sealed class FaultySharing(SharedKernel shared, Action<string> print) : IRegionSharing
{
    private volatile int _unlockSlot = -1;
    private volatile int _wakeSlot = -1;

    /// <summary>Prints where the thread stops, then blocks it until the process is killed.</summary>
    public static void Stop(Action<string> print, string point)
    {
        print($"fault stopped {point}");
        Thread.Sleep(Timeout.Infinite);     // not a synchronisation: this thread must never go on
    }

    /// <summary>Stops the next release of <paramref name="slot"/>'s lock ("unlock") or wakeup ("wake").</summary>
    public void StopAt(int slot, string point)
    {
        switch (point)
        {
            case "unlock": _unlockSlot = slot; break;
            case "wake": _wakeSlot = slot; break;
            case "none": break;
            default: throw new ArgumentException($"unknown stop point '{point}'");
        }
    }

    /// <inheritdoc />
    public void Lock(int slot) => shared.Lock(slot);

    /// <inheritdoc />
    public void Unlock(int slot)
    {
        if (slot == _unlockSlot) Stop(print, $"unlock {slot}");
        shared.Unlock(slot);
    }

    /// <inheritdoc />
    public IEndpointPort ForeignPort(int slot, int processIndex) =>
        new StoppingPort(shared.ForeignPort(slot, processIndex), slot, this, print);

    /// <inheritdoc />
    public IRecordWait RecordWait(int slot) => shared.RecordWait(slot);

    /// <inheritdoc />
    public int ProcessIdOf(int processIndex) => shared.ProcessIdOf(processIndex);

    /// <inheritdoc />
    public void Granted(Proc owner, int id, Memory<byte> region, BufferAccess access) =>
        shared.Granted(owner, id, region, access);

    /// <inheritdoc />
    public void Revoked(Proc owner, int id) => shared.Revoked(owner, id);

    /// <inheritdoc />
    public IpcStatus ForeignRegion(Proc party, BufferAddress address, int bytes, BufferAccess needed,
        out Memory<byte> region, out string? why) =>
        shared.ForeignRegion(party, address, bytes, needed, out region, out why);

    /// <inheritdoc />
    public void Dispose() => shared.Dispose();

    /// <summary>A foreign owner's port whose completion wakeup stops when its slot is the one chosen.</summary>
    private sealed class StoppingPort(IEndpointPort port, int slot, FaultySharing sharing, Action<string> print)
        : IEndpointPort
    {
        public void Completed()
        {
            if (slot == sharing._wakeSlot) Stop(print, $"wake {slot}");
            port.Completed();
        }

        public void Pending() => port.Pending();
    }
}
