using System.Diagnostics;

namespace M3Actors.Perf.Latency;

/// <summary>
/// A 4 MiB vcopy every 10 ms: a requester thread endpoint copies from its own buffer into the buffer of a destination
/// thread endpoint blocked in <c>Receive(ANY)</c> (vcopy's parties other than the requester must be blocked). Their
/// slots are the measured pair's plus 64, so with the kernel's 64 lock stripes (stripe = slot % 64) the copy holds
/// exactly the pair's stripes; with per-slot locks they would share none, which is what the series then shows.
/// </summary>
internal sealed class VCopyChurn(Vm vm, CpuPlan cpus) : Churn(vm, cpus)
{
    /// <summary>The requester's slot (≡ the pair's server slot mod 64).</summary>
    internal const int RequesterSlot = MeasuredPair.ServerSlot + 64;
    /// <summary>The destination's slot (≡ the pair's client slot mod 64).</summary>
    internal const int DestinationSlot = MeasuredPair.ClientSlot + 64;

    private const int BlockBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    // Allocated and touched once, reused by every start: no page fault or allocation lands in a segment.
    private readonly Memory<byte> _source = Touched(0x5A);
    private readonly Memory<byte> _target = Touched(0);

    /// <inheritdoc />
    protected override void StartThreads()
    {
        var destination = new TaskCompletionSource<(Endpoint Endpoint, BufferAddress Buffer)>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        Run("vcopy destination", () => Destination(destination));
        Run("vcopy requester", () => Requester(destination.Task));
    }

    private void Destination(TaskCompletionSource<(Endpoint, BufferAddress)> published)
    {
        using var handle = Vm.Bind(DestinationSlot, "vcopy destination");
        published.SetResult((handle.Endpoint, new BufferAddress(handle.RegisterBuffer(_target, BufferAccess.Write))));
        // Blocked in its receive for the whole segment; the requester's stop message ends it.
        while (true)
        {
            Check(handle.Receive(Endpoint.Any, out var m, Timeout.InfiniteTimeSpan), handle, "vcopy destination receive");
            if (m.Type == StopType) return;
        }
    }

    private void Requester(Task<(Endpoint Endpoint, BufferAddress Buffer)> destinationReady)
    {
        using var handle = Vm.Bind(RequesterSlot, "vcopy requester");
        var own = new BufferAddress(handle.RegisterBuffer(_source, BufferAccess.Read));
        var (destination, target) = destinationReady.WaitAsync(StartTimeout).GetAwaiter().GetResult();
        var next = Stopwatch.GetTimestamp();
        var copied = false;
        while (!Stopping)
        {
            var status = handle.VCopy(Endpoint.Self, own, destination, target, BlockBytes);
            if (status == IpcStatus.ProcState && !copied)
            {
                // The destination has bound but is not in its receive yet.
                Thread.Yield();
                continue;
            }
            Check(status, handle, "vcopy");
            copied = true;
            Started();
            next += (long)(Interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            else next = Stopwatch.GetTimestamp();
        }
        var stop = new Message(StopType);
        Check(handle.Send(destination, in stop, CallTimeout), handle, "vcopy stop");
    }

    private static Memory<byte> Touched(byte fill)
    {
        var block = GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
        block.AsSpan().Fill(fill);
        return block;
    }
}
