using System.Diagnostics;
using System.Text;

namespace M3Actors.Examples.Minix;

/// <summary>
/// A message trace the servers write while it is recording: who called, replied to or copied to whom, and when.
/// The minix command records one <c>read</c> through shell → vfs → disk and renders it as text and as a Mermaid
/// sequence diagram. Servers check <see cref="IsRecording"/> before formatting a line, so an idle trace costs a flag.
/// </summary>
public sealed class MinixTrace
{
    private readonly List<TraceEvent> _events = [];
    private readonly Lock _lock = new();
    private long _start;
    private volatile bool _recording;

    /// <summary>One line of the trace.</summary>
    /// <param name="Ms">Milliseconds since <see cref="Start"/>.</param>
    /// <param name="From">The party that acts (a lifeline name: shell, vfs, disk).</param>
    /// <param name="To">The party acted on.</param>
    /// <param name="Kind">Call, reply or copy: how the diagram draws the arrow.</param>
    /// <param name="What">The request or what moved.</param>
    public sealed record TraceEvent(double Ms, string From, string To, TraceKind Kind, string What);

    /// <summary>How an event is drawn.</summary>
    public enum TraceKind
    {
        /// <summary>A request (sendrec).</summary>
        Call,
        /// <summary>A reply that ends someone's sendrec.</summary>
        Reply,
        /// <summary>A vcopy between registered buffers.</summary>
        Copy,
    }

    /// <summary>True between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    public bool IsRecording => _recording;

    /// <summary>The events recorded so far, in order.</summary>
    public IReadOnlyList<TraceEvent> Events
    {
        get
        {
            lock (_lock) return _events.ToArray();
        }
    }

    /// <summary>Clears the trace and starts recording.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _events.Clear();
            _start = Stopwatch.GetTimestamp();
            _recording = true;
        }
    }

    /// <summary>Stops recording; the events stay.</summary>
    public void Stop() => _recording = false;

    /// <summary>Records an event if recording.</summary>
    public void Note(string from, string to, TraceKind kind, string what)
    {
        lock (_lock)
        {
            if (_recording)
                _events.Add(new(Stopwatch.GetElapsedTime(_start).TotalMilliseconds, from, to, kind, what));
        }
    }

    /// <summary>The trace as aligned plain text, one event a line.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (var e in Events)
        {
            var arrow = e.Kind switch { TraceKind.Reply => "<-", TraceKind.Copy => "=>", _ => "->" };
            var (left, right) = e.Kind == TraceKind.Reply ? (e.To, e.From) : (e.From, e.To);
            text.AppendLine($"{e.Ms,9:F3} ms  {left,-6}{arrow} {right,-6} {e.What}");
        }
        return text.ToString();
    }

    /// <summary>The trace as a Mermaid sequence diagram (a Markdown code block).</summary>
    public string ToMermaid()
    {
        var text = new StringBuilder("```mermaid\nsequenceDiagram\n");
        var events = Events;
        foreach (var party in events.SelectMany(e => new[] { e.From, e.To }).Distinct())
            text.AppendLine($"    participant {party}");
        foreach (var e in events)
        {
            var arrow = e.Kind switch { TraceKind.Reply => "-->>", TraceKind.Copy => "-)", _ => "->>" };
            text.AppendLine($"    {e.From}{arrow}{e.To}: {e.What} (+{e.Ms:F3} ms)");
        }
        return text.Append("```\n").ToString();
    }
}
