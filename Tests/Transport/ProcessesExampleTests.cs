using M3Actors.Examples.Processes;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The <c>processes</c> example: a server process and two client processes on one shared VM, one client killed
/// with SIGKILL in the middle of a call, every check of the example holding.
/// </summary>
public sealed class ProcessesExampleTests(ITestOutputHelper output)
{
    [Fact(Timeout = 120_000)]
    public async Task The_processes_example_passes_with_a_client_killed_mid_call()
    {
        var text = new StringWriter();
        var exit = await ProcessesCommand.RunAsync(text, []).WaitAsync(TimeSpan.FromSeconds(100));
        output.WriteLine(text.ToString());
        Assert.Equal(0, exit);
        Assert.Contains("released send DstDied reply DeadSrcDst", text.ToString());
        Assert.EndsWith("PASS" + Environment.NewLine, text.ToString());
    }

    [Fact(Timeout = 10_000)]
    public async Task Unknown_arguments_show_the_usage()
    {
        var text = new StringWriter();
        Assert.Equal(2, await ProcessesCommand.RunAsync(text, ["--bogus"]));
        Assert.Contains("usage: processes", text.ToString());
    }
}
