namespace M3Actors.Examples.Minix;

/// <summary>
/// RS's log of crashes and restarts, readable from outside the VM: the minix command prints it, and tests await
/// <see cref="WhenRestartedAsync"/> instead of sleeping.
/// </summary>
public sealed class RsJournal
{
    private readonly Lock _lock = new();
    private readonly List<Restart> _restarts = [];
    private readonly List<string> _failures = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    /// <summary>One healed crash.</summary>
    /// <param name="Service">The service restarted.</param>
    /// <param name="Reason">Why it died (the exception, or "stopped").</param>
    /// <param name="Recovery">From RS learning of the crash to the dependants hearing of the new incarnation.</param>
    public sealed record Restart(string Service, string Reason, TimeSpan Recovery);

    /// <summary>The restarts so far, in order.</summary>
    public IReadOnlyList<Restart> Restarts
    {
        get
        {
            lock (_lock) return _restarts.ToArray();
        }
    }

    /// <summary>Restarts that did not complete (the new incarnation never bound its slot).</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_lock) return _failures.ToArray();
        }
    }

    /// <summary>Completes once <paramref name="count"/> restarts have completed; else TimeoutException.</summary>
    public Task WhenRestartedAsync(int count, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (_restarts.Count >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(timeout);
        }
    }

    internal void Restarted(string service, string reason, TimeSpan recovery)
    {
        lock (_lock)
        {
            _restarts.Add(new Restart(service, reason, recovery));
            foreach (var waiter in _waiters.Where(w => w.Count <= _restarts.Count)) waiter.Done.TrySetResult();
            _waiters.RemoveAll(w => w.Count <= _restarts.Count);
        }
    }

    internal void RestartFailed(string service, string why)
    {
        lock (_lock) _failures.Add($"{service}: {why}");
    }
}
