using Akka.Event;

namespace M3Actors.Tracing;

/// <summary>
/// Emits a VM's trace through its ActorSystem's log at Debug, one text line per event (<see cref="TraceText"/>).
/// The kernel never logs: a timer, running only while the trace is on, drains the ring every
/// <see cref="Interval"/> off the IPC paths, and logs only when Debug is enabled (Akka's <c>akka.loglevel</c>).
/// Each drain reads up to where the previous one saw the ring end, so the writers of those events have long
/// finished; events overwritten before a drain reached them are logged as one "dropped" line.
/// </summary>
internal sealed class TraceLog : IDisposable
{
    /// <summary>How often the ring is drained to the log.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly VmTrace _trace;
    private readonly ILoggingAdapter _log;
    private readonly Lock _gate = new();
    private readonly Timer _timer;
    private readonly List<TraceEvent> _batch = [];
    private long _logged;       // the first sequence number not yet logged (or skipped)
    private long _seen;         // where the ring ended at the previous drain

    internal TraceLog(VmTrace trace, ILoggingAdapter log, long from)
    {
        _trace = trace;
        _log = log;
        _logged = _seen = from;
        _timer = new Timer(_ => Drain(final: false), null, Interval, Interval);
    }

    /// <summary>Stops the timer and logs what is left.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Drain(final: true);
    }

    private void Drain(bool final)
    {
        lock (_gate)
        {
            if (_trace.Ring is not { } ring) return;
            var until = final ? ring.Next : _seen;
            _seen = ring.Next;
            if (until <= _logged) return;
            if (!_log.IsDebugEnabled)
            {
                _logged = until;
                return;
            }
            _batch.Clear();
            var dropped = ring.Read(_logged, until, _batch);
            if (dropped > 0) _log.Debug("{0}: trace: {1} events dropped before they were logged", _trace.Vm, dropped);
            foreach (var e in _batch)
                _log.Debug("{0}: trace #{1} {2}", _trace.Vm, e.Sequence, TraceText.Line(e, _trace.Label));
            _logged = until;
        }
    }
}
