using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// Cycles that close from several threads at once: the kernel's striped locks let unrelated calls run in parallel,
/// so the deadlock check must still see every cycle, whichever call closes it.
/// </summary>
public sealed class ConcurrentDeadlockTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Theory(Timeout = 60_000)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task A_cycle_closed_concurrently_is_refused_exactly_once(int size)
    {
        var ring = Enumerable.Range(0, size).Select(_ => Vm.Bind()).ToArray();
        try
        {
            for (var round = 0; round < 200; round++)
            {
                var statuses = await RunRoundAsync(ring);
                Assert.Equal(1, statuses.Count(s => s == IpcStatus.Locked));
                Assert.Equal(size - 1, statuses.Count(s => s == IpcStatus.Ok));
            }
        }
        finally
        {
            foreach (var h in ring) h.Dispose();
        }
    }

    // Every endpoint sends to the next at once. The one refused with Locked then receives from the one before it,
    // which releases the chain backwards: each released sender receives from its own predecessor in turn.
    private async Task<IpcStatus[]> RunRoundAsync(EndpointHandle[] ring)
    {
        var size = ring.Length;
        var locked = -1;
        using var start = new Barrier(size);
        var calls = Enumerable.Range(0, size).Select(i => OnThread(() =>
        {
            var next = ring[(i + 1) % size].Endpoint;
            var previous = ring[(i + size - 1) % size];
            start.SignalAndWait(Patience);
            var status = ring[i].Send(next, new Message(i), Patience);
            if (status == IpcStatus.Locked) Volatile.Write(ref locked, i);
            if (status is IpcStatus.Locked or IpcStatus.Ok && (i + size - 1) % size != Volatile.Read(ref locked))
                Assert.Equal(IpcStatus.Ok, ring[i].Receive(previous.Endpoint, out _, Patience));
            return status;
        })).ToArray();
        return await Task.WhenAll(calls).WaitAsync(Patience * 2);
    }
}
