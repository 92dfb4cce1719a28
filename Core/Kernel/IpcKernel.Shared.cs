namespace M3Actors.Kernel;

/// <summary>
/// The kernel's side of a region shared between processes (<see cref="IRegionSharing"/>): the entry point of the
/// transport's wake thread, and waiting for a bind that another process makes.
/// </summary>
internal sealed partial class IpcKernel
{
    // Polls of a slot bound elsewhere: quick at first (a partner process is usually starting up), then backing off.
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Called by the transport in the owning process when another process woke <paramref name="slot"/>: runs this
    /// process's port of the slot's local binding (<see cref="IEndpointPort.Completed"/> and/or
    /// <see cref="IEndpointPort.Pending"/>). A wake for a binding that is gone, or a foreign one, is dropped: the
    /// binding it was meant for has ended, and its unbind woke its owner already.
    /// </summary>
    internal void WakeOwner(int slot, bool completed, bool pending)
    {
        if ((uint)slot >= (uint)_slots.Length || _slots[slot] is not { IsForeign: false } p || !p.IsCurrent) return;
        if (completed) p.Port.Completed();
        if (pending) p.Port.Pending();
    }

    // A bind in another process completes no waiter of this one: watch the record's state with a backoff, until it
    // is bound or this process's part of the VM ends.
    private async Task<Endpoint> PollBoundAsync(int slot)
    {
        var delay = FirstPoll;
        while (true)
        {
            await Task.Delay(delay).ConfigureAwait(false);
            if (_slots.Resolve(slot) is { Bound: true } p) return p.Ep;
            if (!_running) throw new IpcException(IpcStatus.VmNotRunning, "the VM ended before the slot was bound");
            delay = delay * 2 < LongestPoll ? delay * 2 : LongestPoll;
        }
    }
}
