using System.Diagnostics;

namespace M3Actors.Examples.Cluster;

/// <summary>
/// <c>cluster</c>: one VM on two node processes on loopback, children of this command. Node 1 hosts the servers,
/// node 2 the callers; once node 2's callers have checked their replies and one of them is blocked on node 1, this
/// command kills node 1, and node 2's callers must get NotConnected. Exit code 0 only if every check held; both
/// children are killed at the end, whatever happened. <c>cluster --node N [--seed host:port]</c> runs one node (what
/// the children run).
/// </summary>
public static class ClusterCommand
{
    /// <summary>The parent (no arguments) or one node (<c>--node N [--seed host:port]</c>).</summary>
    public static async Task<int> RunAsync(TextWriter output, string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length >= 2 && args[0] == "--node" && int.TryParse(args[1], out var node))
            return await ClusterNode.RunAsync(output, node, args.Length >= 4 && args[2] == "--seed" ? args[3] : null);
        if (args.Length > 0)
        {
            output.WriteLine("usage: cluster [--node N [--seed host:port]]");
            return 2;
        }
        using var server = Child(1, null);
        try
        {
            var port = (await server.ExpectAsync("port ")).Split(' ')[1];
            await server.ExpectAsync("serving");
            output.WriteLine($"node 1 (servers) up on 127.0.0.1:{port}, pid {server.Process.Id}");
            using var caller = Child(2, $"127.0.0.1:{port}");
            await caller.ExpectAsync("port ");
            output.WriteLine($"node 2 (callers) up, pid {caller.Process.Id}");
            var calls = await caller.ExpectAsync("calls ");
            output.WriteLine($"node 2 -> node 1: {calls}");
            await caller.ExpectAsync("blocked");
            var clock = Stopwatch.StartNew();
            server.Process.Kill(entireProcessTree: true);
            output.WriteLine("node 1 killed while a node 2 caller waits for its reply");
            var outcome = await caller.ExpectAsync("blocked call ");
            output.WriteLine($"{outcome} ({clock.ElapsedMilliseconds} ms after the kill)");
            // Node 2 is not waited for: leaving a cluster with an unreachable member takes until the Split Brain
            // Resolver decides, and what it had to show is shown.
            var pass = calls.Contains(" wrong 0 ", StringComparison.Ordinal)
                       && outcome == $"blocked call {IpcStatus.NotConnected}, new call {IpcStatus.NotConnected}";
            output.WriteLine(pass ? "PASS" : "FAIL");
            return pass ? 0 : 1;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            output.WriteLine($"FAIL: {e.Message}");
            return 1;
        }
    }

    private static NodeProcess Child(int nodeId, string? seed)
    {
        // This assembly, run again by the same host (dotnet exec) with the node's arguments.
        var dll = typeof(ClusterCommand).Assembly.Location;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", dll, "cluster", "--node", $"{nodeId}" }) info.ArgumentList.Add(a);
        if (seed is not null)
        {
            info.ArgumentList.Add("--seed");
            info.ArgumentList.Add(seed);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"node {nodeId} did not start");
        return new NodeProcess(process, nodeId);
    }

    /// <summary>A child node: its stdout read line by line; disposing kills it if it still runs.</summary>
    private sealed class NodeProcess(Process process, int nodeId) : IDisposable
    {
        internal Process Process { get; } = process;

        /// <summary>The next line that starts with <paramref name="prefix"/>; throws after the example's patience.</summary>
        internal async Task<string> ExpectAsync(string prefix)
        {
            using var cts = new CancellationTokenSource(ClusterNode.Patience);
            try
            {
                while (await Process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
                    if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"node {nodeId} did not say '{prefix}...' within {ClusterNode.Patience}");
            }
            throw new InvalidOperationException($"node {nodeId} ended before saying '{prefix}...'");
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }
}
