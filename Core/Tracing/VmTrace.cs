using Akka.Event;

namespace M3Actors.Tracing;

/// <summary>
/// A VM's message trace (<see cref="Vm.Trace"/>, docs/trace.md): while <see cref="Enabled"/>, the kernel records every
/// IPC event — call, delivery, block, wake, copy, error with its status — into a bounded ring of
/// <see cref="Capacity"/> events, oldest overwritten. <see cref="Snapshot"/> reads it; the snapshot renders as text or
/// as a Mermaid sequence diagram. While on, the events also go to the VM's Akka log at Debug when Debug is enabled.
/// Off (the default), nothing is recorded and the IPC paths allocate nothing for it.
/// </summary>
public sealed class VmTrace
{
    private readonly Kernel.IpcKernel _kernel;
    private readonly Lock _gate = new();
    private TraceLog? _log;
    private long _from;         // the first sequence number since the last Clear
    private bool _closed;

    internal VmTrace(Vm vm, Kernel.IpcKernel kernel, TraceOptions options)
    {
        Vm = vm;
        _kernel = kernel;
        Capacity = options.Capacity;
        Enabled = options.Enabled;
    }

    /// <summary>Events the ring keeps before the oldest are overwritten (<c>m3actors.trace.capacity</c>).</summary>
    public int Capacity { get; }

    /// <summary>
    /// Switches recording on or off at run time; starts as <c>m3actors.trace.enabled</c> (or
    /// <see cref="TraceOptions.Enabled"/>) says. Switching off keeps the events recorded so far.
    /// </summary>
    public bool Enabled
    {
        get => _kernel.Trace.On;
        set
        {
            lock (_gate)
            {
                if (value == _kernel.Trace.On) return;
                if (!value)
                {
                    _kernel.Trace.Stop();
                    StopLog();
                    return;
                }
                // Names of the endpoints bound before the switch; later binds are named by the kernel's bind hook.
                foreach (var proc in _kernel.Snapshot(Vm.Id, Vm.Name, Vm.Nodes, Vm.IsRunning).Procs)
                    _kernel.Trace.Remember(proc.Endpoint, proc.Owner);
                _kernel.Trace.Start(Capacity);
                if (!_closed)
                    _log = new TraceLog(this, Logging.GetLogger(Vm.System, $"m3actors.trace.vm{Vm.Id}"), Ring!.Next);
            }
        }
    }

    internal Vm Vm { get; }

    internal TraceRing? Ring => _kernel.Trace.Ring;

    /// <summary>Forgets the events recorded so far: the next snapshot starts with the next event.</summary>
    public void Clear()
    {
        lock (_gate) _from = Ring?.Next ?? 0;
    }

    /// <summary>The events since the trace was created or cleared that are still in the ring, oldest first.</summary>
    public TraceSnapshot Snapshot()
    {
        long from;
        lock (_gate) from = _from;
        var events = new List<TraceEvent>();
        if (Ring is not { } ring) return new TraceSnapshot(events, 0, 0, new Dictionary<Endpoint, string>());
        var until = ring.Next;
        var dropped = ring.Read(from, until, events);
        var names = new Dictionary<Endpoint, string>(_kernel.Trace.Names);
        foreach (var proc in _kernel.Snapshot(Vm.Id, Vm.Name, Vm.Nodes, Vm.IsRunning).Procs)
            names.TryAdd(proc.Endpoint, proc.Owner);
        return new TraceSnapshot(events, until - from, dropped, names);
    }

    /// <inheritdoc />
    public override string ToString() => $"trace of {Vm}: {(Enabled ? "on" : "off")}, capacity {Capacity}";

    /// <summary>An endpoint's owner and value, as the log lines name it.</summary>
    internal string Label(Endpoint endpoint) =>
        _kernel.Trace.Names.TryGetValue(endpoint, out var owner) ? $"{owner} ({endpoint})" : endpoint.ToString();

    /// <summary>The VM is ending: the log gets what is left and stops; the events stay readable.</summary>
    internal void Close()
    {
        lock (_gate)
        {
            _closed = true;
            StopLog();
        }
    }

    private void StopLog()
    {
        _log?.Dispose();
        _log = null;
    }
}
