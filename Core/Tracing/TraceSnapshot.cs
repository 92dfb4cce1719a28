using System.Diagnostics;

namespace M3Actors.Tracing;

/// <summary>
/// What a VM's trace held at one moment (<see cref="VmTrace.Snapshot"/>): the events still in the ring, oldest first,
/// how many were dropped (overwritten by newer ones), and the owner name of every endpoint they mention, so they can
/// be rendered after those endpoints are gone.
/// </summary>
public sealed class TraceSnapshot
{
    internal TraceSnapshot(IReadOnlyList<TraceEvent> events, long recorded, long dropped,
        IReadOnlyDictionary<Endpoint, string> names)
    {
        Events = events;
        Recorded = recorded;
        Dropped = dropped;
        Names = names;
    }

    /// <summary>The events still in the ring, in sequence order.</summary>
    public IReadOnlyList<TraceEvent> Events { get; }

    /// <summary>Events recorded since the trace was created or last cleared, including the dropped ones.</summary>
    public long Recorded { get; }

    /// <summary>Events recorded but no longer in the ring: the ring was full and newer events overwrote them.</summary>
    public long Dropped { get; }

    /// <summary>Owner names by endpoint (an actor's path, a thread endpoint's owner).</summary>
    public IReadOnlyDictionary<Endpoint, string> Names { get; }

    /// <summary>"owner (gen:slot)", or the endpoint alone when its owner is unknown (or for ANY, NONE, SELF).</summary>
    public string Label(Endpoint endpoint) =>
        Names.TryGetValue(endpoint, out var owner) ? $"{owner} ({endpoint})" : endpoint.ToString();

    /// <summary>Milliseconds from the first event in the snapshot to <paramref name="e"/>.</summary>
    public double MillisecondsOf(in TraceEvent e) =>
        Events.Count == 0 ? 0 : (e.Timestamp - Events[0].Timestamp) * 1000.0 / Stopwatch.Frequency;

    /// <summary>The trace as text, one event a line (<see cref="TraceText"/>), headed by the dropped count.</summary>
    public string ToText() => TraceText.Render(this);

    /// <summary>The trace as a Mermaid <c>sequenceDiagram</c>, without a Markdown fence.</summary>
    public string ToMermaid() => TraceMermaid.Render(this);
}
