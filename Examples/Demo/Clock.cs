namespace M3Actors.Examples.Demo;

/// <summary>
/// A clock task on a well-known system slot that notifies fs on every tick. Notify never blocks and carries no
/// payload: when fs is not receiving, the kernel keeps one pending bit per (clock, fs) pair, so a burst of ticks
/// coalesces into one notification.
/// </summary>
public static class Clock
{
    /// <summary>
    /// Ticks <paramref name="ticks"/> times, <paramref name="period"/> apart, then reports how many notifies returned
    /// Ok and keeps its endpoint until the VM ends: an ended endpoint's pending bits are cleared, so the clock must
    /// outlive the ticks it sent.
    /// </summary>
    public static Task Start(Vm vm, int ticks, TimeSpan period, TaskCompletionSource<int> burstDone) =>
        vm.RunTask(async (me, ending) =>
        {
            var ok = 0;
            try
            {
                using (var timer = new PeriodicTimer(period))
                {
                    for (var i = 0; i < ticks && await timer.WaitForNextTickAsync(ending); i++)
                        if (me.Notify(Protocol.Fs) == IpcStatus.Ok) ok++;
                }
                burstDone.TrySetResult(ok);
                await Task.Delay(Timeout.Infinite, ending);     // lives until the VM ends, then unbinds
            }
            catch (OperationCanceledException)
            {
                burstDone.TrySetResult(ok);                     // the VM ended first
            }
        }, Protocol.ClockSlot, "clock");
}
