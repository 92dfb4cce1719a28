using System.Collections.Concurrent;
using System.Runtime.Versioning;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Native;
using M3Actors.Transport.Processes;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Transport;

/// <summary>
/// Joining and leaving the process table; a child killed with SIGKILL is seen and reaped exactly once.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ProcessTableTests(ITestOutputHelper output) : IDisposable
{
    private readonly ArenaDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task The_death_watcher_runs_at_the_raised_priority_where_the_process_may_raise_it()
    {
        using var arena = Arena.Attach(_dir.Options());
        var watcher = arena.Watcher;
        await SharedVm.AwaitAsync(() => watcher.ThreadId != 0, () => "the watcher thread did not start");
        // Field 19 of /proc/<pid>/task/<tid>/stat, counted after the command name's closing parenthesis.
        var stat = await File.ReadAllTextAsync($"/proc/self/task/{watcher.ThreadId}/stat");
        var nice = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16]);
        var own = File.ReadAllText("/proc/self/stat");
        var processNice = int.Parse(own[(own.LastIndexOf(')') + 2)..].Split(' ')[16]);
        Assert.Equal(watcher.Raised ? DeathWatcher.RaisedNice : processNice, nice);
        // A process with CAP_SYS_NICE (bit 23 of its effective capabilities) may always raise it.
        var capabilities = File.ReadLines("/proc/self/status")
            .First(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        var mayRaise = (Convert.ToUInt64(capabilities["CapEff:".Length..].Trim(), 16) & (1UL << 23)) != 0;
        if (mayRaise) Assert.True(watcher.Raised, "a process with CAP_SYS_NICE did not raise the watcher's priority");
    }

    [Fact(Timeout = 30_000)]
    public async Task Join_records_pid_start_time_and_incarnation_and_leave_frees_the_entry()
    {
        await Task.Yield();
        using var first = Arena.Attach(_dir.Options());
        var second = Arena.Attach(_dir.Options());
        var table = first.Processes;
        var claim = table.ClaimOf(second.ProcessIndex);
        Assert.Equal(ProcessState.Alive, claim.State);
        Assert.Equal(Environment.ProcessId, claim.Pid);
        Assert.Equal(ProcessIdentity.Self.StartTime, table.StartTimeOf(second.ProcessIndex));
        var incarnation = table.IncarnationOf(second.ProcessIndex);
        var index = second.ProcessIndex;

        second.Dispose();
        Assert.Equal(ProcessClaim.Free, table.ClaimOf(index));
        Assert.Equal(0, table.StartTimeOf(index));

        using var again = Arena.Attach(_dir.Options());
        Assert.Equal(index, again.ProcessIndex);
        Assert.Equal(incarnation + 1, table.IncarnationOf(index));
    }

    [Fact(Timeout = 60_000)]
    public async Task Child_joins_and_leaves_and_is_seen_by_pid()
    {
        using var arena = Arena.Attach(_dir.Options());
        using var child = HostProcess.Start();
        var attached = await child.ExpectAsync(_dir.AttachCommand(), "attached ");
        var index = int.Parse(attached[1]);
        var claim = arena.Processes.ClaimOf(index);
        Assert.Equal((ProcessState.Alive, child.Pid), (claim.State, claim.Pid));
        Assert.Equal(ProcessIdentity.Read(child.Pid)!.Value.StartTime, arena.Processes.StartTimeOf(index));

        await child.ExpectAsync("leave", "left");
        Assert.Equal(ProcessClaim.Free, arena.Processes.ClaimOf(index));
    }

    [Fact(Timeout = 60_000)]
    public async Task Child_killed_with_SIGKILL_is_reaped_exactly_once_among_all_survivors()
    {
        var deaths = new ConcurrentQueue<(string Survivor, DeadProcess Dead)>();
        using var survivorA = Arena.Attach(_dir.Options(), d => deaths.Enqueue(("A", d)));
        using var survivorB = Arena.Attach(_dir.Options(), d => deaths.Enqueue(("B", d)));
        using var survivorChild = HostProcess.Start();
        using var victim = HostProcess.Start();
        await survivorChild.ExpectAsync(_dir.AttachCommand(), "attached ");
        var index = int.Parse((await victim.ExpectAsync(_dir.AttachCommand(), "attached "))[1]);
        var incarnation = survivorA.Processes.IncarnationOf(index);

        var clock = Stopwatch.StartNew();
        await victim.KillHardAsync();
        await AwaitFree(survivorA, index);
        output.WriteLine($"SIGKILL to entry freed: {clock.Elapsed.TotalMilliseconds:F1} ms");

        var childReaped = int.Parse((await survivorChild.ExpectAsync("reaped", "reaped "))[1]);
        Assert.Equal(1, deaths.Count + childReaped);
        if (childReaped == 1)
        {
            Assert.Equal($"{index} {victim.Pid}", Assert.Single(survivorChild.Deaths));
        }
        else
        {
            var dead = Assert.Single(deaths).Dead;
            Assert.Equal((index, victim.Pid, incarnation), (dead.Index, dead.Pid, dead.Incarnation));
        }
        // The survivors are untouched.
        Assert.Equal(ProcessState.Alive, survivorA.Processes.ClaimOf(survivorB.ProcessIndex).State);
        Assert.Equal(ProcessState.Alive, survivorA.Processes.ClaimOf(survivorA.ProcessIndex).State);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_pidfd_a_killed_child_is_found_by_polling_proc_and_reaped_once()
    {
        var deaths = new ConcurrentQueue<DeadProcess>();
        using var survivor = Arena.Attach(_dir.Options() with { WatchWithPidfd = false }, deaths.Enqueue);
        using var victim = HostProcess.Start();
        var index = int.Parse((await victim.ExpectAsync(_dir.AttachCommand(), "attached "))[1]);

        await victim.KillHardAsync();
        await AwaitFree(survivor, index);

        Assert.Equal((index, victim.Pid), (Assert.Single(deaths).Index, deaths.Single().Pid));
    }

    [Fact(Timeout = 60_000)]
    public async Task Stale_arena_whose_every_process_died_is_reinitialised_by_the_next_attach()
    {
        using var child = HostProcess.Start();
        var index = int.Parse((await child.ExpectAsync(_dir.AttachCommand(), "attached "))[1]);
        await child.ExpectAsync("set 5 42", "set");
        await child.KillHardAsync();

        var deaths = new ConcurrentQueue<DeadProcess>();
        using var arena = Arena.Attach(_dir.Options(), deaths.Enqueue);
        Assert.True(arena.Reinitialised);
        Assert.Equal(1, arena.Epoch);
        Assert.Equal(index, Assert.Single(deaths).Index);
        Assert.Equal(child.Pid, deaths.Single().Pid);
        Assert.Equal(0, Volatile.Read(ref arena.SlotWord(5, 0)));
        Assert.False(arena.Created);
    }

    [Fact(Timeout = 60_000)]
    public async Task Arena_left_cleanly_is_not_reinitialised()
    {
        using (var child = HostProcess.Start())
        {
            await child.ExpectAsync(_dir.AttachCommand(), "attached ");
            await child.ExpectAsync("set 5 42", "set");
            await child.ExpectAsync("leave", "left");
        }
        using var arena = Arena.Attach(_dir.Options());
        Assert.False(arena.Reinitialised);
        Assert.Equal(0, arena.Epoch);
        Assert.Equal(42, Volatile.Read(ref arena.SlotWord(5, 0)));
    }

    private static async Task AwaitFree(Arena arena, int index)
    {
        using var cts = new CancellationTokenSource(HostProcess.Patience);
        while (arena.Processes.ClaimOf(index) != ProcessClaim.Free)
        {
            await Task.Delay(1, cts.Token);
        }
    }
}
