using System.Diagnostics;
using System.Reflection;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// The echo peer of a cross-process benchmark: this same program started as a child with
/// <c>peer &lt;kind&gt; &lt;address&gt;</c>. The child prints <c>ready &lt;address&gt;</c> once it serves. Every
/// child is killed on <see cref="Dispose"/>, on process exit and on Ctrl+C; and because its stdin is a pipe from
/// this process, the child also exits by itself if this process dies without running any handler.
/// </summary>
public sealed class PeerProcess : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);
    private static readonly Lock LiveLock = new();
    private static readonly HashSet<Process> Live = [];
    private static bool _hooked;

    private readonly Process _process;

    private PeerProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The address the child reports it serves on (e.g. the TCP port it bound).</summary>
    public string Address { get; }

    /// <summary>Starts a child serving <paramref name="kind"/> on <paramref name="address"/> and waits until it is ready.</summary>
    public static PeerProcess Start(string kind, string address)
    {
        HookExitHandlers();
        var start = CommandFor(kind, address);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        lock (LiveLock)
        {
            Live.Add(process);
        }
        try
        {
            var line = process.StandardOutput.ReadLineAsync();
            if (!line.Wait(ReadyTimeout))
            {
                throw new TimeoutException($"Peer '{kind}' did not report ready within {ReadyTimeout}.");
            }
            const string ready = "ready ";
            if (line.Result is not { } text || !text.StartsWith(ready, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Peer '{kind}' exited or misbehaved before ready (first line: '{line.Result}').");
            }
            return new PeerProcess(process, text[ready.Length..]);
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    /// <summary>Kills the child (if still running) and waits for it to go.</summary>
    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        Kill(process);
        lock (LiveLock)
        {
            Live.Remove(process);
        }
        process.Dispose();
    }

    private static ProcessStartInfo CommandFor(string kind, string address)
    {
        // Run the same binary as this process: the apphost when started through it, else "dotnet <Perf.dll>".
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown.");
        var viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (viaDotnet)
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }
        foreach (var argument in new[] { "peer", kind, address })
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        if (!process.WaitForExit(ExitTimeout))
        {
            throw new TimeoutException($"Peer process {process.Id} did not exit within {ExitTimeout} of being killed.");
        }
    }

    private static void HookExitHandlers()
    {
        lock (LiveLock)
        {
            if (_hooked)
            {
                return;
            }
            _hooked = true;
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    private static void KillAll()
    {
        Process[] live;
        lock (LiveLock)
        {
            live = [.. Live];
            Live.Clear();
        }
        foreach (var process in live)
        {
            Kill(process);
        }
    }
}
