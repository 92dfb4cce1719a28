using System.Diagnostics;
using System.Threading.Channels;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The kill campaign's children: cheap hosts (<c>lite attach</c>: thread endpoints only, no actor system), started
/// and attached in the background so that a killed child's replacement is a spare that only has to bind. Every
/// child ever started is killed on <see cref="DisposeAsync"/>, whatever happened.
/// </summary>
public sealed class KillCampaignChildren : IAsyncDisposable
{
    private readonly string _attach;
    private readonly Channel<HostProcess> _spares = Channel.CreateBounded<HostProcess>(1);
    private readonly List<HostProcess> _all = [];
    private readonly List<double> _attachMs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _makers;

    /// <summary>Starts <paramref name="makers"/> background loops each keeping a spare attached with
    /// <paramref name="attach"/>.</summary>
    public KillCampaignChildren(string attach, int makers)
    {
        _attach = attach;
        _makers = [.. Enumerable.Range(0, makers).Select(_ => Task.Run(MakeSparesAsync))];
    }

    /// <summary>Start-to-attached times of the children so far, in ms.</summary>
    public double[] AttachMs
    {
        get
        {
            lock (_attachMs) return [.. _attachMs];
        }
    }

    /// <summary>The reap lines (<see cref="HostProcess.Reaps"/>) of every child started so far, each with the pid of
    /// the child that ran it.</summary>
    public (int Reaper, string Line)[] Reaps()
    {
        HostProcess[] all;
        lock (_all) all = [.. _all];
        return [.. all.SelectMany(child =>
        {
            lock (child.Reaps) return child.Reaps.Select(line => (child.Pid, line)).ToArray();
        })];
    }

    /// <summary>The next attached spare, within <see cref="HostProcess.Patience"/>.</summary>
    public async Task<HostProcess> TakeAsync()
    {
        if (_makers.FirstOrDefault(t => t.IsFaulted) is { } failed) await failed;     // rethrows why
        using var cts = new CancellationTokenSource(HostProcess.Patience);
        return await _spares.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Stops making spares and kills every child started.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_makers).WaitAsync(HostProcess.Patience);
        }
        finally
        {
            HostProcess[] all;
            lock (_all) all = [.. _all];
            foreach (var child in all) child.Dispose();
            _stop.Dispose();
        }
    }

    private async Task MakeSparesAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            var child = HostProcess.Start();
            lock (_all) _all.Add(child);
            await child.ExpectAsync(_attach, "lite attached");
            lock (_attachMs) _attachMs.Add(clock.Elapsed.TotalMilliseconds);
            try
            {
                await _spares.Writer.WriteAsync(child, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;     // the campaign is over: the spare is killed with the others
            }
        }
    }
}
