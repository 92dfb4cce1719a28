namespace M3Actors.Examples.Demo;

/// <summary>
/// A disk driver as a plain async task on a well-known system slot. The demo holds each write until it opens
/// <see cref="Release"/>, which makes "fs is busy waiting for the disk" a state the demo can look at
/// deterministically — no sleeps, no luck.
/// </summary>
public sealed class DiskDriver
{
    /// <summary>Set when the driver has taken a write request (fs is then blocked waiting for the reply).</summary>
    public TaskCompletionSource WriteTaken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Opened by the demo to let the driver answer.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Requests served.</summary>
    public int Served { get; private set; }

    /// <summary>Why the serving loop ended (VmNotRunning when the VM ended under it).</summary>
    public IpcStatus ExitStatus { get; private set; } = IpcStatus.Ok;

    /// <summary>Binds the disk slot and serves until the VM ends.</summary>
    public Task Start(Vm vm, TimeSpan patience) => vm.RunTask(async (me, _) =>
    {
        while (true)
        {
            // No timeout on purpose: a server waits for work for as long as it lives. Ending the VM unbinds us,
            // which completes this receive with VmNotRunning — the lifecycle rule that nothing waits forever.
            // The async form holds no thread while it waits.
            var (status, request) = await me.ReceiveAsync(Endpoint.Any);
            if (status != IpcStatus.Ok)
            {
                ExitStatus = status;
                return;
            }
            var reply = new Message((int)IpcStatus.Ok);
            if (request.Type == Protocol.DiskWrite)
            {
                WriteTaken.TrySetResult();
                try
                {
                    await Release.Task.WaitAsync(patience);
                }
                catch (TimeoutException)
                {
                    reply.Type = (int)IpcStatus.TimedOut;
                }
            }
            Served++;
            // fs is still waiting in its sendrec to us, so reply (which never blocks) ends its call.
            me.Reply(request.Source, in reply);
        }
    }, Protocol.DiskSlot, "disk driver");
}
