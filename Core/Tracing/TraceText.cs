using System.Globalization;
using System.Text;

namespace M3Actors.Tracing;

/// <summary>
/// Renders trace events as text, one line each: sequence number, milliseconds since the first event, the kind, and
/// who did what to whom, e.g. <c>#12 +0.153 ms deliver  client (1:16) -> echo (0:5): sendrec, type 41</c>. The same
/// lines go to the VM's Akka log at Debug.
/// </summary>
public static class TraceText
{
    /// <summary>The whole snapshot: a header with the counts, then one line per event.</summary>
    public static string Render(TraceSnapshot trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"# {trace.Events.Count} events, {trace.Dropped} dropped of {trace.Recorded} recorded\n");
        foreach (var e in trace.Events)
            text.Append(CultureInfo.InvariantCulture, $"#{e.Sequence} +{trace.MillisecondsOf(e):F3} ms ")
                .Append(Line(e, trace.Label)).Append('\n');
        return text.ToString();
    }

    /// <summary>One event without number and time: its kind, then the parties as <paramref name="label"/> names them.</summary>
    public static string Line(in TraceEvent e, Func<Endpoint, string> label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var who = label(e.Endpoint);
        var partner = label(e.Partner);
        var call = CallName(e.Call);
        return e.Kind switch
        {
            TraceKind.Bind => $"bind     {who}",
            TraceKind.Unbind => $"unbind   {who}",
            TraceKind.Call when e.Call == IpcCalls.VCopy => $"call     {who} vcopy -> {partner}, {e.Bytes} B",
            TraceKind.Call => $"call     {who} {call} -> {partner}{Type(e)}",
            TraceKind.Deliver => $"deliver  {who} -> {partner}: {call}{Type(e)}",
            TraceKind.NotifyPending => $"pending  {who} -> {partner}: notify (not receiving; kept pending)",
            TraceKind.Block => $"block    {who} in {call} {Toward(e.Call)} {partner}",
            TraceKind.Wake => $"wake     {who}: {Status(e.Status)}",
            TraceKind.Copy => $"copy     {who} -> {partner}: {e.Bytes} B, asked by {label(e.Requester)}",
            TraceKind.Error => $"error    {who} {call} -> {partner}: {Status(e.Status)}",
            _ => $"{e.Kind} {who} {partner}",
        };
    }

    /// <summary>The primitive's name as the rulebook writes it: send, sendnb, sendrec, receive, reply, ...</summary>
    public static string CallName(IpcCalls call) => call switch
    {
        IpcCalls.None => "-",
        IpcCalls.VCopy => "vcopy",
        _ => call.ToString().ToLowerInvariant(),
    };

    internal static string Status(IpcStatus status) =>
        status.ToString() + " (" + ((int)status).ToString(CultureInfo.InvariantCulture) + ")";

    internal static bool IsReceive(IpcCalls call) => call is IpcCalls.Receive or IpcCalls.RcvRqst;

    // How a call names its partner: a receive waits "from" it, every other call goes "to" it.
    internal static string Toward(IpcCalls call) => IsReceive(call) ? "from" : "to";

    private static string Type(in TraceEvent e) =>
        e.MessageType == Message.NotifyType ? ", NOTIFY"
        : e.Kind == TraceKind.Call && IsReceive(e.Call) ? ""
        : ", type " + e.MessageType.ToString(CultureInfo.InvariantCulture);
}
