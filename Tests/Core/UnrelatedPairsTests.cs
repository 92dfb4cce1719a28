using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// Bind, unbind and snapshots are sequences of one-slot sections, so a pair of endpoints keeps exchanging while
/// another thread churns through them (the chunked vcopy case is in <see cref="ChunkedCopyTests"/>).
/// </summary>
public sealed class UnrelatedPairsTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 60_000)]
    public async Task A_pair_completes_its_round_trips_while_another_thread_binds_unbinds_and_takes_snapshots()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        using var stop = new CancellationTokenSource();
        var churning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var churn = OnThread(() =>
        {
            var cycles = 0;
            while (!stop.IsCancellationRequested)
            {
                using (var passer = Vm.Bind())
                {
                    // A notify from the short-lived endpoint leaves a bit that its unbind must clear again.
                    Assert.Equal(IpcStatus.Ok, passer.Notify(server.Endpoint));
                }
                Assert.Contains(Vm.Snapshot().Procs, p => p.Endpoint == server.Endpoint);
                if (++cycles == 1) churning.SetResult();
            }
            return cycles;
        });
        await churning.Task.WaitAsync(Patience);
        await RoundTripsAsync(client, server, 200);
        stop.Cancel();
        Assert.True(await churn.WaitAsync(Patience) >= 1);
        // Every churned endpoint is gone, and so are its notify bits.
        Assert.Equal(IpcStatus.Again, server.Receive(Endpoint.Any, out _, TimeSpan.Zero));
        Assert.Equal(2, Vm.Snapshot().Procs.Count);
    }
}
