using M3Actors.Tracing;
using Xunit;

namespace M3Actors.Tests.Ecosystem;

/// <summary>
/// The trace ring under concurrent writers that wrap it many times while a reader reads: every event the reader
/// gets is whole (all its fields from one write), in sequence order, and every number it skips is counted dropped.
/// </summary>
public sealed class TraceRingTests
{
    [Fact(Timeout = 60_000)]
    public async Task Readers_never_see_a_torn_event_while_writers_wrap_the_ring()
    {
        const int writers = 3, perWriter = 1_000_000, capacity = 16;
        var ring = new TraceRing(capacity);
        using var start = new Barrier(writers + 1);
        var writing = Enumerable.Range(1, writers).Select(w => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perWriter; i++)
            {
                // Every field of one write carries the same value, so a mix of two writes shows.
                var v = new Endpoint(w * 1_000_000 + i % 1_000_000);
                ring.Write(TraceKind.Call, IpcCalls.Send, v, v, v, v.Value, v.Value, IpcStatus.Ok);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        start.SignalAndWait();
        long read = 0, from = 0, whole = 0;
        var events = new List<TraceEvent>();
        while (!writing.All(t => t.IsCompleted) || from < ring.Next)
        {
            events.Clear();
            var until = ring.Next;
            var dropped = ring.Read(from, until, events);
            Assert.Equal(until - from, dropped + events.Count);
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                Assert.True(e.Partner == e.Endpoint && e.Requester == e.Endpoint && e.MessageType == e.Endpoint.Value
                    && e.Bytes == e.Endpoint.Value, $"torn event {e}");
                Assert.InRange(e.Sequence, from, until - 1);
                if (i > 0) Assert.True(e.Sequence > events[i - 1].Sequence, "events out of order");
            }
            whole += events.Count;
            read += until - from;
            from = until;
        }
        await Task.WhenAll(writing);
        Assert.Equal((long)writers * perWriter, ring.Next);
        Assert.Equal(ring.Next, read);
        Assert.True(whole > 0, "the reader never got an event");
    }
}
