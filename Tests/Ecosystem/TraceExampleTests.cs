using M3Actors.Examples.Trace;
using Xunit;

namespace M3Actors.Tests.Ecosystem;

/// <summary><c>dotnet run --project Examples -- trace</c>: the scenario runs, its trace holds what it must, and it is written.</summary>
public sealed class TraceExampleTests
{
    [Fact(Timeout = 60_000)]
    public async Task The_trace_command_passes_and_writes_the_diagram_and_the_text()
    {
        var output = new StringWriter();
        Assert.Equal(0, await TraceCommand.RunAsync(output, []));
        var text = output.ToString();
        Assert.EndsWith($"PASS{Environment.NewLine}", text);
        var md = Path.Combine("artifacts", "trace", "scenario.md");
        Assert.Contains(Path.GetFullPath(md), text);
        var diagram = await File.ReadAllTextAsync(md);
        Assert.Contains("```mermaid\nsequenceDiagram\n", diagram);
        Assert.Contains("failed: Locked (-101)", diagram);
        Assert.Contains("error    client", await File.ReadAllTextAsync(Path.ChangeExtension(md, ".txt")));
    }

    [Fact(Timeout = 10_000)]
    public async Task An_argument_is_refused_with_exit_code_2()
    {
        var output = new StringWriter();
        Assert.Equal(2, await TraceCommand.RunAsync(output, ["extra"]));
        Assert.Contains("trace takes no arguments, got: extra", output.ToString());
    }
}
