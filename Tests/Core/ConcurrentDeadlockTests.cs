using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// Cycles that close from several threads at once: the kernel has one lock per slot and checks for deadlock by
/// walking published waits-for words without any VM-wide lock, so the check must still see every cycle, whichever
/// call closes it, and refuse it exactly once.
/// </summary>
public sealed class ConcurrentDeadlockTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Theory(Timeout = 60_000)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task A_cycle_closed_concurrently_is_refused_exactly_once(int size) =>
        await RefusedExactlyOnceAsync(new string('S', size), rounds: 200);

    // Each letter is one endpoint's call to the next one in the ring: S send, R receive from it, Q sendrec. A pair
    // where one sends and the other receives is request/reply, never a cycle, so two-endpoint rings use one direction.
    [Theory(Timeout = 60_000)]
    [InlineData("RR")]
    [InlineData("QS")]
    [InlineData("QQ")]
    [InlineData("SRR")]
    [InlineData("RSQ")]
    [InlineData("QQQ")]
    [InlineData("SRSR")]
    [InlineData("QRSQ")]
    public async Task A_mixed_cycle_of_sends_receives_and_sendrecs_is_refused_exactly_once(string calls) =>
        await RefusedExactlyOnceAsync(calls, rounds: 100);

    private async Task RefusedExactlyOnceAsync(string calls, int rounds)
    {
        var ring = calls.Select(_ => Vm.Bind()).ToArray();
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var statuses = await RunRoundAsync(ring, calls);
                Assert.Equal(1, statuses.Count(s => s == IpcStatus.Locked));
                Assert.Equal(calls.Length - 1, statuses.Count(s => s == IpcStatus.Ok));
            }
        }
        finally
        {
            foreach (var h in ring) h.Dispose();
        }
    }

    // Every endpoint makes its call to the next at once. The one refused with Locked then serves the one before it,
    // which releases the chain backwards: each released endpoint serves its own predecessor in turn.
    private async Task<IpcStatus[]> RunRoundAsync(EndpointHandle[] ring, string calls)
    {
        var size = ring.Length;
        var locked = -1;
        using var start = new Barrier(size);
        var threads = Enumerable.Range(0, size).Select(i => OnThread(() =>
        {
            var next = ring[(i + 1) % size].Endpoint;
            var previous = (i + size - 1) % size;
            start.SignalAndWait(Patience);
            var status = Call(ring[i], calls[i], next);
            if (status == IpcStatus.Locked) Volatile.Write(ref locked, i);
            if (status is IpcStatus.Locked or IpcStatus.Ok && previous != Volatile.Read(ref locked))
                Serve(ring[i], calls[previous], ring[previous].Endpoint);
            return status;
        })).ToArray();
        return await Task.WhenAll(threads).WaitAsync(Patience * 2);
    }

    private static IpcStatus Call(EndpointHandle h, char call, Endpoint next)
    {
        var m = new Message(1);
        return call switch
        {
            'S' => h.Send(next, m, Patience),
            'R' => h.Receive(next, out _, Patience),
            _ => h.SendRec(next, ref m, Patience),
        };
    }

    // Ends the predecessor's call to h: take its message (and reply to a sendrec), or send what it waits for.
    private static void Serve(EndpointHandle h, char predecessorCall, Endpoint predecessor)
    {
        switch (predecessorCall)
        {
            case 'S':
                Assert.Equal(IpcStatus.Ok, h.Receive(predecessor, out _, Patience));
                break;
            case 'R':
                Assert.Equal(IpcStatus.Ok, h.Send(predecessor, new Message(2), Patience));
                break;
            default:
                Assert.Equal(IpcStatus.Ok, h.Receive(predecessor, out _, Patience));
                Assert.Equal(IpcStatus.Ok, h.Reply(predecessor, new Message(3)));
                break;
        }
    }
}
