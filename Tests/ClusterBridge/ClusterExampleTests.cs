using M3Actors.Examples.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// Two OS processes: the <c>cluster</c> example starts node 1 (servers) and node 2 (callers) as child processes on
/// loopback, checks the replies across them, kills node 1 and expects NotConnected on node 2.
/// </summary>
public sealed class ClusterExampleTests(ITestOutputHelper output)
{
    [Fact(Timeout = 120_000)]
    public async Task The_cluster_example_passes_across_two_node_processes()
    {
        var text = new StringWriter();
        var exit = await ClusterCommand.RunAsync(text, []).WaitAsync(TimeSpan.FromSeconds(100));
        output.WriteLine(text.ToString());
        Assert.Equal(0, exit);
        Assert.Contains("blocked call NotConnected, new call NotConnected", text.ToString());
        Assert.EndsWith("PASS" + Environment.NewLine, text.ToString());
    }

    [Fact(Timeout = 10_000)]
    public async Task Unknown_arguments_show_the_usage()
    {
        var text = new StringWriter();
        Assert.Equal(2, await ClusterCommand.RunAsync(text, ["--bogus"]));
        Assert.Contains("usage: cluster", text.ToString());
    }
}
