using System.Runtime.ExceptionServices;

namespace M3Actors.Actors;

/// <summary>
/// The actor wakeups an endpoint actor's own calls cause inside a handler, held until the handler has returned and
/// re-entered its idle receive, or until it makes its next kernel call, whichever comes first. A partner woken at
/// once would often run before the handler is receiving again: its answer then finds the actor busy and takes the
/// slow way (it queues, or its notification waits, and its own send needs one more mailbox run to complete). Woken
/// after the idle receive, it finds the actor receiving and delivers straight away, as a Minix process runs once
/// its sender blocks. Only actor mailboxes wait here (a thread owner is woken at once), at most
/// <see cref="Capacity"/> per handler (more wake at once); only the owner's mailbox run touches it; nothing
/// allocates. The last partner a returned handler woke runs on the handler's thread (<see cref="Close"/>), and
/// the wakeup that partner's answer gives back to this actor is dropped: this actor's run goes on right after.
/// </summary>
internal sealed class DeferredWakes(ActorPort owner)
{
    private const int Capacity = 4;

    private readonly ActorPort?[] _ports = new ActorPort?[Capacity];
    private int _count;
    private bool _open;

    /// <summary>A handler starts: wakeups of actors are held from now on.</summary>
    internal void Open() => _open = true;

    /// <summary>
    /// The handler is done: the wakeups held go out. When it returned (and is receiving again:
    /// <paramref name="handOver"/>) on a thread that runs no captured runs, the last actor it woke runs on this
    /// thread now, as a Minix send switches to its receiver: a ping-pong pair then stays on one worker, without a
    /// pool hand-off per hop, until the mailbox run it started in ends at the dispatcher's throughput. On a vCPU's
    /// thread only a partner of the same vCPU runs here, or, under a policy that moves actors, one of another vCPU of
    /// the same dispatcher, which moves here (VcpuDispatcher.ExecuteTask). A partner whose mailbox was already
    /// scheduled, or whose dispatcher is not a VM's, is only scheduled.
    /// </summary>
    internal void Close(bool handOver)
    {
        _open = false;
        if (_count == 0) return;
        var thread = CapturedRuns.ThisThread;
        Flush(thread, handOver && thread.IsIdle);
    }

    /// <summary>
    /// Holds <paramref name="woken"/>'s wakeup when a handler runs and it is an actor's; false otherwise.
    /// </summary>
    internal bool TryAdd(Kernel.IEndpointPort woken)
    {
        if (!_open || _count == Capacity || woken is not ActorPort port) return false;
        _ports[_count++] = port;
        return true;
    }

    /// <summary>
    /// Issues the wakeups held, each even if another throws (an owner left unwoken would wait forever); the
    /// exceptions are rethrown after the last one.
    /// </summary>
    internal void Flush()
    {
        if (_count > 0) Flush(CapturedRuns.ThisThread, handOverLast: false);
    }

    private void Flush(CapturedRuns.PerThread thread, bool handOverLast)
    {
        var handingOver = thread.HandingOver;
        var fenced = false;
        List<Exception>? failures = null;
        for (var i = 0; i < _count; i++)
        {
            var port = _ports[i]!;
            _ports[i] = null;
            // The actor that handed this run over: its own run, on this thread, looks for the work once this returns.
            if (port == handingOver) continue;
            if (!fenced)
            {
                // The kernel's stores (outcome, work hint) before the dispatcher's read of the mailbox status
                // (ActorPort).
                Interlocked.MemoryBarrier();
                fenced = true;
            }
            try
            {
                if (handOverLast && i == _count - 1) RunHere(port, thread);
                else port.Schedule();
            }
            catch (Exception e)
            {
                (failures ??= []).Add(e);
            }
        }
        _count = 0;
        if (failures is null) return;
        if (failures.Count == 1) ExceptionDispatchInfo.Throw(failures[0]);
        throw new AggregateException("several endpoint actors failed to be scheduled", failures);
    }

    // The woken mailbox's run, which its schedule queues to a VM executor, is captured and run by this thread; nested
    // runs are not captured (CapturedRuns), so a partner's own wakeups are scheduled as usual.
    private void RunHere(ActorPort port, CapturedRuns.PerThread thread)
    {
        thread.Begin(owner);
        try
        {
            port.Schedule();
        }
        finally
        {
            thread.RunCaptured();
        }
    }
}
