using System.Diagnostics;

namespace M3Actors.Examples.Processes;

/// <summary>
/// A child of the <c>processes</c> command: this assembly run again (dotnet exec) with a hidden role, its stdin
/// and stdout redirected. It exits by itself when its stdin closes; disposing it kills it if it still runs.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _name;

    private ChildProcess(Process process, string name) => (_process, _name) = (process, name);

    /// <summary>The child's pid.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts <c>processes &lt;args&gt;</c> as a child called <paramref name="name"/> in messages.</summary>
    public static ChildProcess Start(string name, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "exec", typeof(ChildProcess).Assembly.Location, "processes" }.Concat(args))
            info.ArgumentList.Add(a);
        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start"),
            name);
    }

    /// <summary>Writes one command line to the child's stdin.</summary>
    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>The child's next line that starts with <paramref name="prefix"/>; throws after the patience.</summary>
    public async Task<string> ExpectAsync(string prefix)
    {
        using var cts = new CancellationTokenSource(ProcessesChild.Patience);
        try
        {
            while (await _process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
                if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_name} did not say '{prefix}...' within {ProcessesChild.Patience}");
        }
        throw new InvalidOperationException($"{_name} ended before saying '{prefix}...'");
    }

    /// <summary>SIGKILL: no handler runs in the child, nothing of it is cleaned up; waits until it is gone.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill();
        using var cts = new CancellationTokenSource(ProcessesChild.Patience);
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(ProcessesChild.Patience);
        _process.Dispose();
    }
}
