using System.Diagnostics;
using System.Threading.Channels;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// A TransportHost child: commands on its stdin, one reply line each on its stdout; <c>died</c> lines (deaths it
/// reaped) are collected apart. Always killed on <see cref="Dispose"/>; it also exits by itself once its stdin
/// closes, should this test process die first.
/// </summary>
public sealed class HostProcess : IDisposable
{
    /// <summary>How long any reply may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly Task _reader;

    private HostProcess(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadLinesAsync);
    }

    /// <summary>The child's pid.</summary>
    public int Pid => _process.Id;

    /// <summary>Deaths this child reaped, as "&lt;index&gt; &lt;pid&gt;".</summary>
    public List<string> Deaths { get; } = [];

    /// <summary>
    /// The stages of the reaps a <c>lite</c> child ran, as "&lt;pid&gt; &lt;detected&gt; &lt;began&gt; &lt;released&gt;
    /// &lt;repaired&gt; &lt;unbound&gt;" (Stopwatch timestamps).
    /// </summary>
    public List<string> Reaps { get; } = [];

    /// <summary>Starts a child (the host next to the test assembly, run by the same dotnet).</summary>
    public static HostProcess Start()
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "M3Actors.TransportHost.dll"));
        return new HostProcess(Process.Start(start) ?? throw new InvalidOperationException("host did not start"));
    }

    /// <summary>Sends <paramref name="command"/> without waiting for its reply (for commands that block).</summary>
    public void Send(string command)
    {
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
    }

    /// <summary>The next reply line, within <see cref="Patience"/>.</summary>
    public async Task<string> NextReplyAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        return await _replies.Reader.ReadAsync(cts.Token);
    }

    /// <summary>A reply line already printed, if any (without waiting).</summary>
    public bool TryTakeReply(out string reply) => _replies.Reader.TryRead(out reply!);

    /// <summary>Sends <paramref name="command"/> and returns its reply.</summary>
    public Task<string> AskAsync(string command)
    {
        Send(command);
        return NextReplyAsync();
    }

    /// <summary>
    /// Sends <paramref name="command"/> and asserts its reply starts with <paramref name="expected"/>.
    /// </summary>
    public async Task<string[]> ExpectAsync(string command, string expected)
    {
        var reply = await AskAsync(command);
        Assert.StartsWith(expected, reply);
        return reply.Split(' ');
    }

    /// <summary>SIGKILL (no handler runs, nothing is cleaned up) and wait until it is gone.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill();
        using var cts = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        Assert.True(_process.WaitForExit(Patience), $"host {_process.Id} did not exit after being killed");
        Assert.True(_reader.Wait(Patience), "the host's output reader did not end");
        _process.Dispose();
    }

    private async Task ReadLinesAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("died ", StringComparison.Ordinal))
            {
                lock (Deaths) Deaths.Add(line["died ".Length..]);
            }
            else if (line.StartsWith("reaped ", StringComparison.Ordinal) && line.Split(' ').Length == 7)
            {
                lock (Reaps) Reaps.Add(line["reaped ".Length..]);
            }
            else
            {
                await _replies.Writer.WriteAsync(line);
            }
        }
        _replies.Writer.Complete();
    }
}
