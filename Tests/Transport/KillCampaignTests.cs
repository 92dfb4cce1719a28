using System.Collections.Concurrent;
using System.Diagnostics;
using M3Actors.Transport;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The kill -9 campaign: two children serve system slots and call a server here while threads here call them; a
/// randomly chosen child is SIGKILLed at a random moment, reaped, checked and replaced by a spare attached in the
/// background, 200 times. Every call that returned Ok must carry its own reply (the caller's sequence number and
/// client id plus one, with the checksum it sent, from the server it called); every call caught by a kill must end
/// with the rulebook's status; the records' invariants hold after every kill; nothing hangs. The figures (kills,
/// duration, kill-to-release times, child attach times) go to the test output, never into an assertion.
/// </summary>
public sealed class KillCampaignTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Echo = 1;
    private const int Kills = 200;
    private const int ServerHere = 3;
    private const int MaxProcesses = 16;
    private const string Name = "campaign";
    private static readonly int[] ChildSlots = [4, 5];
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    // A replacement is a spare attached in the background and then told to bind: on a box at load 30-50 a spare's
    // attach took up to 11 s (2 of 30 runs waited past 10 s), which is the box, not a release.
    private static readonly TimeSpan RebindPatience = TimeSpan.FromSeconds(30);

    private readonly ArenaDirectory _dir = new();
    private readonly Drvs _drvs = Drvs.Start();
    private readonly long[] _killedAt = new long[ChildSlots.Length];
    private readonly int[] _killedPid = new int[ChildSlots.Length];
    private readonly KillCampaignFigures _figures = new();
    private readonly ConcurrentQueue<double> _releaseMs = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private Vm _vm = null!;
    private KillCampaignChildren _children = null!;
    private KillCampaignWatch _watch = null!;
    private volatile bool _stop;
    private long _ok;

    /// <inheritdoc />
    public Task InitializeAsync()
    {
        _vm = _drvs.AttachVm(SharedVm.Options(_dir, 1, Name) with { MaxProcesses = MaxProcesses });
        ((SharedKernel)_vm.Kernel.Sharing!).Reaper.Reaped += _figures.ReapedHere;
        _children = new KillCampaignChildren($"lite attach {_dir.Path} 1 1 {Name} {SharedVm.SystemSlots} " +
            $"{SharedVm.UserSlots} {MaxProcesses}", makers: 2);
        _watch = new KillCampaignWatch(_vm, _children, ChildSlots.Length);
        ((SharedKernel)_vm.Kernel.Sharing!).Reaper.Reaped += _watch.ReapedHere;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        _stop = true;
        try
        {
            await _children.DisposeAsync();
        }
        finally
        {
            await _vm.EndAsync().WaitAsync(SharedVm.Patience);
            await _drvs.EndAsync().WaitAsync(SharedVm.Patience);
            _dir.Dispose();
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Killing_children_at_random_moments_loses_duplicates_and_hangs_nothing()
    {
        var random = new Random(7);
        var server = Task.Factory.StartNew(Serve, TaskCreationOptions.LongRunning);
        var watch = _watch.RunAsync(() => _stop);
        var active = new HostProcess[ChildSlots.Length];
        for (var i = 0; i < ChildSlots.Length; i++) active[i] = await ActivateAsync(i);
        var clients = ChildSlots.Select((slot, i) => Task.Factory.StartNew(() => Call(i, slot),
            TaskCreationOptions.LongRunning)).ToArray();
        var clock = Stopwatch.StartNew();
        var kills = 0;
        try
        {
            for (; kills < Kills && _failures.IsEmpty; kills++)
            {
                var i = random.Next(active.Length);
                await Task.Delay(random.Next(0, 15));       // a random moment of the traffic, not a synchronisation
                var victim = active[i];
                // A child's load prints only when it stops: on a failed or mismatched call to the server here.
                if (victim.TryTakeReply(out var stopped)) _failures.Enqueue($"child {victim.Pid}: {stopped}");
                Volatile.Write(ref _killedPid[i], victim.Pid);
                _figures.Killed(victim.Pid);
                _watch.Killed(i, victim.Pid);
                Volatile.Write(ref _killedAt[i], Stopwatch.GetTimestamp());
                await victim.KillHardAsync();
                await SharedVm.AwaitAsync(() => Reaped(victim.Pid),
                    () => $"killed pid {victim.Pid} is not reaped: {Listed(victim.Pid)} endpoints still listed");
                if (_vm.Kernel.CheckRecords() is { } problem) _failures.Enqueue($"after kill {kills}: {problem}");
                active[i] = await ActivateAsync(i);
            }
        }
        finally
        {
            _stop = true;
        }
        var duration = clock.Elapsed;
        try
        {
            await Task.WhenAll(clients).WaitAsync(SharedVm.Patience);
        }
        catch (TimeoutException)
        {
            foreach (var p in _vm.Snapshot().Procs) output.WriteLine($"stuck? {p.Endpoint} {p.Owner} {p.State}");
            throw;
        }
        await server.WaitAsync(SharedVm.Patience);
        await watch.WaitAsync(SharedVm.Patience);

        var release = _releaseMs.Order().ToArray();
        var attach = _children.AttachMs.Order().ToArray();
        output.WriteLine($"{kills} kills in {duration.TotalSeconds:F1} s, {_ok} calls Ok; {release.Length} calls " +
            $"released by a kill: p50 {Percentile(release, 0.5):F1} ms, max {Percentile(release, 1):F1} ms; " +
            $"{attach.Length} children attached: p50 {Percentile(attach, 0.5):F0} ms, " +
            $"max {Percentile(attach, 1):F0} ms");
        foreach (var (_, line) in _children.Reaps()) _figures.ReapedInChild(line);
        foreach (var line in _figures.Summary()) output.WriteLine(line);
        output.WriteLine($"calls blocked over {KillCampaignWatch.Suspect.TotalSeconds:F0} s (watchdog): " +
            $"{_watch.Suspects}");
        foreach (var failure in _failures) output.WriteLine(failure);
        Assert.Empty(_failures);
        Assert.Equal(Kills, kills);
        Assert.True(_ok > 0, "no call completed");
        Assert.NotEmpty(release);
    }

    // A spare becomes child `i`: an echo thread serving its system slot, and a client (at user slot 20 + i)
    // calling the server here without end.
    private async Task<HostProcess> ActivateAsync(int i)
    {
        var child = await _children.TakeAsync();
        await child.ExpectAsync($"lite server {ChildSlots[i]}", "lite serving");
        child.Send($"lite load {20 + i} {ServerHere} 100000000");
        return child;
    }

    // The server here answers every request with its value plus one, as the children's echo servers do.
    private void Serve()
    {
        using var server = _vm.Bind(ServerHere, "campaign server");
        while (!_stop)
        {
            var status = server.RcvRqst(out var m, TimeSpan.FromMilliseconds(100));
            if (status == IpcStatus.TimedOut) continue;
            if (status != IpcStatus.Ok)
            {
                _failures.Enqueue($"the server's rcvrqst returned {status}");
                return;
            }
            var reply = m;
            reply.SetInt(0, m.GetInt(0) + 1);
            // A client killed since its request was taken is gone: the reply then fails, which is the rulebook's.
            var replied = server.Reply(m.Source, reply);
            if (replied is not (IpcStatus.Ok or IpcStatus.DeadSrcDst or IpcStatus.ProcState or IpcStatus.BadEndpoint
                    or IpcStatus.BadSrcDst))
                _failures.Enqueue($"the server's reply returned {replied}");
        }
    }

    // Client `id` here calls the child serving `slot` until the campaign stops, checking every reply it gets.
    private void Call(int id, int slot)
    {
        using var client = _vm.Bind(owner: $"campaign client {id}");
        var server = Endpoint.System(slot);
        for (var seq = 0; !_stop; seq++)
        {
            var value = (id << 24) | (seq & 0xFFFFFF);
            var m = new Message(Echo);
            m.SetInt(0, value);
            m.SetInt(1, Checksum(value));
            var startedAt = Stopwatch.GetTimestamp();
            _watch.CallStarted(id, client.Endpoint.Slot, slot, startedAt);
            var status = client.SendRec(server, ref m, CallTimeout);
            _watch.CallEnded(id);
            switch (status)
            {
                case IpcStatus.Ok when m.GetInt(0) == value + 1 && m.GetInt(1) == Checksum(value)
                    && m.Source == server:
                    Interlocked.Increment(ref _ok);
                    break;
                case IpcStatus.Ok:
                    _failures.Enqueue($"call {seq} of client {id} got {m.GetInt(0)} (checksum {m.GetInt(1)}) " +
                        $"from {m.Source}, not {value + 1} (checksum {Checksum(value)}) from {server}");
                    return;
                case IpcStatus.DstDied or IpcStatus.SrcDied:
                    _releaseMs.Enqueue(Stopwatch.GetElapsedTime(Volatile.Read(ref _killedAt[id])).TotalMilliseconds);
                    _figures.Returned(Volatile.Read(ref _killedPid[id]));
                    break;
                case IpcStatus.DeadSrcDst:
                    // The server is between a kill and its replacement: wait for the slot's next binding.
                    try
                    {
                        _vm.WhenBoundAsync(slot, RebindPatience).Wait();
                    }
                    catch (AggregateException) when (_stop)
                    {
                        return;
                    }
                    catch (AggregateException e)
                    {
                        // The kills since the call began and their reaps: a reap long over means the replacement
                        // (a spare attached in the background, then told to bind) was what took so long.
                        _failures.Enqueue($"client {id} waited for slot {slot}'s next binding: " +
                            $"{e.InnerException?.Message};\n{_watch.Explain(id, startedAt)}" +
                            $"/proc then:\n{ProcView.Render(_vm.Snapshot())}");
                        return;
                    }
                    break;
                default:
                    // What the watchdog saw while the call was blocked, every kill of its server's child since it
                    // began with that kill's reap, and /proc now, for whoever has to find out why.
                    _failures.Enqueue($"call {seq} of client {id} returned {status} after " +
                        $"{Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds:F0} ms;\n" +
                        $"{_watch.Explain(id, startedAt)}/proc now:\n{ProcView.Render(_vm.Snapshot())}");
                    return;
            }
        }
    }

    // The process table has no entry of pid left: its reap, which unbinds every endpoint it owned, is over (/proc
    // can stop listing an endpoint before its unbind has ended and its slot is free again).
    private bool Reaped(int pid)
    {
        var table = ((SharedKernel)_vm.Kernel.Sharing!).Arena.Processes;
        return Enumerable.Range(0, table.Size).All(i => table.PidOf(i) != pid);
    }

    private int Listed(int pid) => _vm.Snapshot().Procs.Count(p => p.ProcessId == pid);

    private static int Checksum(int value) => unchecked(value * -1640531535) ^ 0x5bd1e995;

    private static double Percentile(double[] sorted, double q) => KillCampaignFigures.Percentile(sorted, q);
}
