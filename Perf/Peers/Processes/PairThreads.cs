using System.Runtime.ExceptionServices;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// Runs blocking per-pair work on dedicated threads, all pairs at once, and waits for all of them. Blocking I/O on
/// thread-pool tasks would starve the pool on 2 cores; one pair runs inline on the caller, so a single pair pays
/// no thread hand-off.
/// </summary>
public sealed class PairThreads : IDisposable
{
    private readonly Action<int, int> _work;
    private readonly Thread[] _threads;
    private readonly Barrier _barrier;
    private ExceptionDispatchInfo? _failure;
    private int _count;
    private bool _stopping;

    /// <summary><paramref name="work"/>(pair, count) does <c>count</c> operations on pair <c>pair</c>.</summary>
    public PairThreads(int pairs, Action<int, int> work)
    {
        _work = work;
        _barrier = new Barrier(pairs == 1 ? 1 : pairs + 1);
        _threads = pairs == 1
            ? []
            : Enumerable.Range(0, pairs).Select(pair => new Thread(() => Loop(pair)) { IsBackground = true, Name = $"pair-{pair}" }).ToArray();
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Each pair does <paramref name="countPerPair"/> operations; rethrows the first pair's failure.</summary>
    public void Run(int countPerPair)
    {
        if (_threads.Length == 0)
        {
            _work(0, countPerPair);
            return;
        }
        _count = countPerPair;
        _barrier.SignalAndWait();
        _barrier.SignalAndWait();
        if (Interlocked.Exchange(ref _failure, null) is { } failure)
        {
            failure.Throw();
        }
    }

    /// <summary>Releases and joins the threads.</summary>
    public void Dispose()
    {
        if (_threads.Length > 0)
        {
            _stopping = true;
            _barrier.SignalAndWait();
            foreach (var thread in _threads)
            {
                thread.Join();
            }
        }
        _barrier.Dispose();
    }

    private void Loop(int pair)
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (Volatile.Read(ref _stopping))
            {
                return;
            }
            try
            {
                _work(pair, _count);
            }
            catch (Exception e)
            {
                // Handed to the benchmark thread, which rethrows it from Run.
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            _barrier.SignalAndWait();
        }
    }
}
