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
/// allocates.
/// </summary>
internal sealed class DeferredWakes
{
    private const int Capacity = 4;

    private readonly ActorPort?[] _ports = new ActorPort?[Capacity];
    private int _count;
    private bool _open;

    /// <summary>A handler starts: wakeups of actors are held from now on.</summary>
    internal void Open() => _open = true;

    /// <summary>The handler is done (and receiving again, unless it threw): the wakeups held go out.</summary>
    internal void Close()
    {
        _open = false;
        Flush();
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
        if (_count == 0) return;
        // The kernel's stores (outcome, work hint) before the dispatcher's read of each mailbox's status (ActorPort).
        Interlocked.MemoryBarrier();
        List<Exception>? failures = null;
        for (var i = 0; i < _count; i++)
        {
            var port = _ports[i]!;
            _ports[i] = null;
            try
            {
                port.Schedule();
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
}
