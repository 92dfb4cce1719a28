using System.Globalization;
using System.Text;

namespace M3Actors.Tracing;

/// <summary>
/// Renders a trace as a Mermaid <c>sequenceDiagram</c>. Participants are the endpoints the events mention, declared in
/// order of first appearance with their owner names. Every delivered message is one arrow: <c>-&gt;&gt;</c> for send,
/// sendnb and sendrec, <c>--&gt;&gt;</c> for reply, <c>-)</c> for notify; a vcopy is a dotted <c>--)</c> arrow from
/// source to destination. Blocks, pending notifications, errors, wakeups with an error and unbinds are notes over the
/// endpoint; calls, plain wakeups and binds are left out (the arrows and notes already show them).
/// </summary>
public static class TraceMermaid
{
    /// <summary>The diagram's text from <c>sequenceDiagram</c> on (Markdown wants it in a ```mermaid fence).</summary>
    public static string Render(TraceSnapshot trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var text = new StringBuilder("sequenceDiagram\n");
        var declared = new HashSet<Endpoint>();
        foreach (var e in trace.Events)
            foreach (var party in Parties(e))
                if (declared.Add(party))
                    text.Append($"    participant {Id(party)} as {Clean(trace.Label(party))}\n");
        foreach (var e in trace.Events)
            if (Line(e, trace) is { } line) text.Append("    ").Append(line).Append('\n');
        return text.ToString();
    }

    /// <summary>The participant id of an endpoint: <c>e</c> and its value (letters and digits only).</summary>
    public static string Id(Endpoint endpoint) => "e" + endpoint.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The arrow an event draws, or null when it draws none.</summary>
    public static string? Arrow(in TraceEvent e) => e.Kind switch
    {
        TraceKind.Deliver => e.Call switch
        {
            IpcCalls.Reply => "-->>",
            IpcCalls.Notify => "-)",
            _ => "->>",
        },
        TraceKind.Copy => "--)",
        _ => null,
    };

    // The endpoints a drawn event involves (only those become participants).
    private static IEnumerable<Endpoint> Parties(TraceEvent e)
    {
        if (Drawn(e) && IsReal(e.Endpoint)) yield return e.Endpoint;
        if (Arrow(e) is not null && IsReal(e.Partner)) yield return e.Partner;
    }

    private static string? Line(in TraceEvent e, TraceSnapshot trace)
    {
        if (!Drawn(e)) return null;
        var who = Id(e.Endpoint);
        var call = TraceText.CallName(e.Call);
        var at = trace.MillisecondsOf(e).ToString("F3", CultureInfo.InvariantCulture);
        if (Arrow(e) is { } arrow)
        {
            var what = e.Kind == TraceKind.Copy
                ? $"vcopy {e.Bytes} B (asked by {trace.Label(e.Requester)})"
                : e.Call == IpcCalls.Notify ? "notify"
                : $"{call} type {e.MessageType.ToString(CultureInfo.InvariantCulture)}";
            return $"{who}{arrow}{Id(e.Partner)}: {Clean(what)} +{at} ms";
        }
        var note = e.Kind switch
        {
            TraceKind.Block => $"blocked in {call} {TraceText.Toward(e.Call)} {trace.Label(e.Partner)}",
            TraceKind.NotifyPending => $"notify for {trace.Label(e.Partner)} pending",
            TraceKind.Error =>
                $"{call} {TraceText.Toward(e.Call)} {trace.Label(e.Partner)} failed: {TraceText.Status(e.Status)}",
            TraceKind.Wake => $"call ended: {TraceText.Status(e.Status)}",
            _ => "unbound",
        };
        return $"Note over {who}: {Clean(note)} +{at} ms";
    }

    private static bool Drawn(in TraceEvent e) => e.Kind switch
    {
        TraceKind.Deliver or TraceKind.Copy or TraceKind.Block or TraceKind.NotifyPending or TraceKind.Error
            or TraceKind.Unbind => true,
        TraceKind.Wake => e.Status != IpcStatus.Ok,
        _ => false,
    };

    private static bool IsReal(Endpoint e) => !e.IsSpecial;

    // In a Mermaid label ';' and a line break end the statement and '#' starts an entity code: none may pass.
    private static string Clean(string text) =>
        text.Replace(';', ',').Replace('#', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
