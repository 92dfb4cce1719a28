using System.Diagnostics;

namespace M3Actors.Perf.Latency;

/// <summary>
/// The measured pair: two thread endpoints on the measured CPU, a client calling the blocking <c>SendRec</c> once per
/// period and a server in <c>Receive(ANY)</c> + <c>Reply</c>. The pair runs from <see cref="Start"/> to
/// <see cref="Stop"/> without a break; <see cref="Record"/> only says which series the next round trips belong to,
/// so switching series never cools the pair down. The client's loop allocates nothing; <c>series</c> is indexed by
/// <see cref="LatencySeries"/>.
/// </summary>
internal sealed class MeasuredPair(Vm vm, CpuPlan cpus, LatencyOptions options, LatencySamples[] series)
{
    /// <summary>The server's slot; the vcopy churn's slots are ≡ these modulo the kernel's 64 lock stripes.</summary>
    internal const int ServerSlot = 20;
    /// <summary>The client's slot.</summary>
    internal const int ClientSlot = 21;

    private const int NotRecording = -1;
    private Task? _server;
    private Task? _client;
    private volatile int _recording = NotRecording;
    private volatile bool _stopping;

    /// <summary>Starts the server and client threads; returns once the first round trip has completed.</summary>
    internal void Start()
    {
        var firstRoundTrip = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server = vm.StartThread((handle, _) => Serve(handle), ServerSlot, "latency server");
        var server = vm.WhenBoundAsync(ServerSlot, Churn.StartTimeout).GetAwaiter().GetResult();
        _client = vm.StartThread((handle, _) => Call(handle, server, firstRoundTrip), ClientSlot, "latency client");
        Churn.WaitStarted(firstRoundTrip.Task, [_server, _client], "the measured pair");
    }

    /// <summary>Round trips from now on are recorded into <paramref name="series"/>.</summary>
    internal void Record(LatencySeries series) => _recording = (int)series;

    /// <summary>Round trips from now on are not recorded (between segments).</summary>
    internal void Pause() => _recording = NotRecording;

    /// <summary>Stops recording, ends the client (which then stops the server) and rethrows a thread's failure.</summary>
    internal void Stop()
    {
        _recording = NotRecording;
        _stopping = true;
        Churn.Join([_client!, _server!], "the measured pair");
    }

    private void Serve(EndpointHandle handle)
    {
        cpus.PinMeasured();
        while (true)
        {
            var status = handle.Receive(Endpoint.Any, out var m, Churn.CallTimeout);
            Churn.Check(status, handle, "latency server receive");
            Churn.Check(handle.Reply(m.Source, in m), handle, "latency server reply");
            if (m.Type == Churn.StopType) return;
        }
    }

    private void Call(EndpointHandle handle, Endpoint server, TaskCompletionSource firstRoundTrip)
    {
        cpus.PinMeasured();
        var period = (long)(options.Period.TotalSeconds * Stopwatch.Frequency);
        var m = new Message(Churn.RequestType);
        var next = Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            // Pace by yielding in a loop: a timed sleep cannot wait 50 us (and its wake-up jitter would land in the
            // next round trip), while yielding leaves the CPU to anyone else runnable on it (a shared machine).
            next += period;
            long now;
            while ((now = Stopwatch.GetTimestamp()) < next) Thread.Yield();
            if (now - next > period) next = now;      // after a stall, go on at the pace instead of catching up
            var start = Stopwatch.GetTimestamp();
            var status = handle.SendRec(server, ref m, Churn.CallTimeout);
            var end = Stopwatch.GetTimestamp();
            Churn.Check(status, handle, "latency client sendrec");
            var recording = _recording;
            if (recording != NotRecording) series[recording].Add(end - start);
            firstRoundTrip.TrySetResult();
        }
        m.Type = Churn.StopType;
        Churn.Check(handle.SendRec(server, ref m, Churn.CallTimeout), handle, "latency client stop");
    }
}
