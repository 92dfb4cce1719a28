namespace M3Actors.Perf.Latency;

/// <summary>
/// A Minix-style chain: <see cref="Clients"/> client threads call <c>SendRec(FS)</c> back to back; FS takes each
/// request in <c>Receive(ANY)</c>, calls <c>SendRec(disk)</c> and replies; disk receives and replies. Every client call
/// blocks on a server that is itself blocked on another, the pattern whose deadlock check is the most expensive.
/// </summary>
internal sealed class ChainChurn(Vm vm, CpuPlan cpus) : Churn(vm, cpus)
{
    /// <summary>Client threads calling FS.</summary>
    internal const int Clients = 8;
    /// <summary>FS's slot (≡ the pair's server slot mod 64).</summary>
    internal const int FsSlot = MeasuredPair.ServerSlot + 192;
    /// <summary>Disk's slot (≡ the pair's client slot mod 64).</summary>
    internal const int DiskSlot = MeasuredPair.ClientSlot + 192;
    private const int FirstClientSlot = 150;

    private readonly List<Task> _clients = [];
    private Endpoint _fs;

    /// <inheritdoc />
    protected override void StartThreads()
    {
        Run("disk", () => Serve(DiskSlot, "disk", next: null));
        var disk = Vm.WhenBoundAsync(DiskSlot, StartTimeout).GetAwaiter().GetResult();
        Run("fs", () => Serve(FsSlot, "fs", next: disk));
        _fs = Vm.WhenBoundAsync(FsSlot, StartTimeout).GetAwaiter().GetResult();
        _clients.Clear();
        for (var client = 0; client < Clients; client++)
        {
            var slot = FirstClientSlot + client;
            _clients.Add(Run($"chain client {client}", () => Call(slot)));
        }
    }

    /// <inheritdoc />
    protected override void StopThreads()
    {
        // The clients end by themselves after their current call; FS and disk sit in their receive until a stop
        // message passes down the chain. It is sent once every client has ended, so no request queues behind it.
        Join(_clients, "the chain's clients");
        using var stopper = Vm.Bind(owner: "chain stop");
        var stop = new Message(StopType);
        Check(stopper.SendRec(_fs, ref stop, CallTimeout), stopper, "chain stop");
    }

    private void Serve(int slot, string name, Endpoint? next)
    {
        using var handle = Vm.Bind(slot, name);
        while (true)
        {
            Check(handle.Receive(Endpoint.Any, out var m, Timeout.InfiniteTimeSpan), handle, $"{name} receive");
            var caller = m.Source;
            if (next is { } downstream) Check(handle.SendRec(downstream, ref m, CallTimeout), handle, $"{name} sendrec");
            Check(handle.Reply(caller, in m), handle, $"{name} reply");
            if (m.Type == StopType) return;
        }
    }

    private void Call(int slot)
    {
        using var handle = Vm.Bind(slot, $"chain client {slot}");
        var m = new Message(RequestType);
        while (!Stopping)
        {
            Check(handle.SendRec(_fs, ref m, CallTimeout), handle, "chain client sendrec");
            Started();
        }
    }
}
