using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using M3Actors.Tests.Core;
using M3Actors.Tracing;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Ecosystem;

/// <summary>
/// The trace rendered as a Mermaid sequence diagram and as text, over a scenario with an actor server: every line
/// must parse as a participant, an arrow or a note, every participant is declared before it is used, and every
/// delivered message or copy is exactly one arrow.
/// </summary>
public sealed partial class TraceRenderTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 30_000)]
    public async Task The_Mermaid_diagram_is_well_formed_with_one_arrow_per_message()
    {
        Vm.Trace.Enabled = true;
        var echo = await StartServerAsync(Props.Create(() => new EchoServer(5)), 5, "echo");
        using var client = Vm.Bind(owner: "client");
        var m = Msg(41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(echo, ref m, Patience));
        Assert.Equal(IpcStatus.Ok, client.Notify(echo));
        Assert.Equal(IpcStatus.BadSrcDst, client.Send(Endpoint.Any, Msg(1), Patience));

        var trace = Vm.Trace.Snapshot();
        var diagram = trace.ToMermaid();
        Output?.WriteLine(diagram);
        var lines = diagram.TrimEnd('\n').Split('\n');
        Assert.Equal("sequenceDiagram", lines[0]);
        var declared = new HashSet<string>();
        var arrows = 0;
        foreach (var line in lines.Skip(1))
        {
            if (Participant().Match(line) is { Success: true } p)
            {
                Assert.True(declared.Add(p.Groups["id"].Value), $"declared twice: {line}");
                continue;
            }
            var arrow = Arrow().Match(line);
            var note = Note().Match(line);
            Assert.True(arrow.Success || note.Success, $"neither a participant, an arrow nor a note: '{line}'");
            foreach (var id in new[] { arrow.Groups["from"], arrow.Groups["to"], note.Groups["id"] }.Where(g => g.Success))
                Assert.Contains(id.Value, declared);
            if (arrow.Success) arrows++;
        }
        Assert.Equal(trace.Events.Count(e => e.Kind is TraceKind.Deliver or TraceKind.Copy), arrows);
        Assert.Contains($"participant {TraceMermaid.Id(echo)} as /user/echo ({echo})", diagram);
        Assert.Contains($"participant {TraceMermaid.Id(client.Endpoint)} as client ({client.Endpoint})", diagram);
        Assert.Contains($"{TraceMermaid.Id(client.Endpoint)}->>{TraceMermaid.Id(echo)}: sendrec type 41", diagram);
        Assert.Contains($"{TraceMermaid.Id(echo)}-->>{TraceMermaid.Id(client.Endpoint)}: reply type 42", diagram);
        Assert.Contains($"{TraceMermaid.Id(client.Endpoint)}-){TraceMermaid.Id(echo)}: notify", diagram);
        Assert.Contains($"Note over {TraceMermaid.Id(client.Endpoint)}: send to ANY failed: BadSrcDst (-103)", diagram);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_text_has_one_numbered_line_per_event_naming_the_owners()
    {
        Vm.Trace.Enabled = true;
        var echo = await StartServerAsync(Props.Create(() => new EchoServer(5)), 5, "echo");
        using var client = Vm.Bind(owner: "client");
        var m = Msg(41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(echo, ref m, Patience));

        var trace = Vm.Trace.Snapshot();
        var lines = trace.ToText().TrimEnd('\n').Split('\n');
        Assert.Equal($"# {trace.Events.Count} events, 0 dropped of {trace.Recorded} recorded", lines[0]);
        Assert.Equal(trace.Events.Count, lines.Length - 1);
        Assert.All(lines.Skip(1).Zip(trace.Events), pair => Assert.StartsWith($"#{pair.Second.Sequence} +", pair.First));
        Assert.Contains(lines, l => l.EndsWith($"deliver  client ({client.Endpoint}) -> /user/echo ({echo}): sendrec, type 41"));
        Assert.Contains(lines, l => l.EndsWith($"block    /user/echo ({echo}) in receive from ANY"));
    }

    [GeneratedRegex(@"^    participant (?<id>e\d+) as [^;#\n]+$")]
    private static partial Regex Participant();

    [GeneratedRegex(@"^    (?<from>e\d+)(->>|-->>|-\)|--\))(?<to>e\d+): [^;#\n]+$")]
    private static partial Regex Arrow();

    [GeneratedRegex(@"^    Note over (?<id>e\d+): [^;#\n]+$")]
    private static partial Regex Note();
}

/// <summary>With Debug on in the VM's Akka config, the trace's events reach the VM's event stream as Debug lines.</summary>
public sealed class TraceLogTests(ITestOutputHelper output) : VmTestKit(new VmOptions
{
    Id = 1, Name = "logged",
    Trace = new TraceOptions { Enabled = true },
    ActorConfig = ConfigurationFactory.ParseString("akka.loglevel = DEBUG"),
}, output)
{
    [Fact(Timeout = 30_000)]
    public async Task Events_are_logged_at_Debug_through_the_VM_ActorSystem()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Akka.Event.Debug));
        using var client = Vm.Bind(owner: "client");
        using var server = Vm.Bind(owner: "server");
        var receiving = ReceiveOnThread(server, Endpoint.Any, Patience);
        await AwaitState(server.Endpoint, "RECEIVING from ANY");
        Assert.Equal(IpcStatus.Ok, client.Send(server.Endpoint, new Message(7), Patience));
        Assert.Equal(IpcStatus.Ok, (await receiving.WaitAsync(Patience)).Status);

        var expected = $"deliver  client ({client.Endpoint}) -> server ({server.Endpoint}): send, type 7";
        var logged = FishForMessage<Akka.Event.Debug>(d => d.Message.ToString()!.Contains(expected), Patience);
        Assert.Contains("VM 1 'logged': trace #", logged.Message.ToString());
    }
}
