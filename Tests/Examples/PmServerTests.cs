using Akka.Actor;
using M3Actors.Examples.Minix;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Tests.Examples;

/// <summary>PM alone: a probe client execs, waits for and kills programs from a small table.</summary>
public sealed class PmServerTests(ITestOutputHelper output) : MinixTestKit(output)
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Endpoint> _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task<Libc> StartPmAsync()
    {
        var programs = new Dictionary<string, UserProgram>
        {
            // exits with its argument once the test opens the gate; reports the endpoint it ran on
            ["exit"] = async (me, argv, _) =>
            {
                _ran.TrySetResult(me.Endpoint);
                await _gate.Task;
                return int.Parse(argv[1]);
            },
            ["forever"] = async (_, _, kill) =>
            {
                await Task.Delay(Timeout.Infinite, kill);
                return 0;
            },
            ["crash"] = (_, _, _) => throw new InvalidOperationException("a bug in a user program"),
        };
        Vm.ActorOf(Props.Create(() => new PmServer(programs)), "pm");
        await Vm.WhenBoundAsync(PmSlot, Patience);
        return Client();
    }

    [Fact(Timeout = 20_000)]
    public async Task Exec_starts_the_program_on_a_fresh_user_endpoint_and_waitpid_is_deferred_until_it_exits()
    {
        var init = await StartPmAsync();
        var pid = await init.CallAsync(Pm, Text(PmExec, "exit 7"));
        var process = new Endpoint(pid);
        Assert.Equal(process, await _ran.Task.WaitAsync(Patience));
        Assert.True(process.Slot >= Vm.Options.SystemSlots, $"{process} is not on a user slot");

        var waiting = init.CallAsync(Pm, Request(PmWaitPid, pid));
        await AwaitAssertAsync(() => Assert.Contains(Vm.Snapshot().Procs,
            p => p.Owner == "client" && p.State.StartsWith("SENDREC waiting")), Patience);
        Assert.False(waiting.IsCompleted);
        _gate.SetResult();

        Assert.Equal(7, await waiting);
        Assert.Null(ProcOf(process));                              // unbound before anyone heard of the exit
        Assert.Equal(NoChild, await init.CallAsync(Pm, Request(PmWaitPid, pid)));   // collected once
    }

    [Fact(Timeout = 20_000)]
    public async Task Waitpid_after_the_exit_collects_the_status_kept_for_it()
    {
        var init = await StartPmAsync();
        _gate.SetResult();
        var pid = await init.CallAsync(Pm, Text(PmExec, "exit 3"));
        await AwaitAssertAsync(() => Assert.Null(ProcOf(new Endpoint(pid))), Patience);

        Assert.Equal(3, await init.CallAsync(Pm, Request(PmWaitPid, pid)));
    }

    [Fact(Timeout = 20_000)]
    public async Task Kill_ends_a_program_and_waitpid_reports_it_killed()
    {
        var init = await StartPmAsync();
        var pid = await init.CallAsync(Pm, Text(PmExec, "forever"));
        Assert.True(pid > 0, Describe(pid));

        Assert.Equal(Ok, await init.CallAsync(Pm, Request(PmKill, pid)));
        Assert.Equal(ExitKilled, await init.CallAsync(Pm, Request(PmWaitPid, pid)));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_program_that_throws_exits_crashed_and_unknown_programs_or_processes_get_errors()
    {
        var init = await StartPmAsync();
        var pid = await init.CallAsync(Pm, Text(PmExec, "crash"));
        Assert.Equal(ExitCrashed, await init.CallAsync(Pm, Request(PmWaitPid, pid)));
        Assert.Equal(NoEntry, await init.CallAsync(Pm, Text(PmExec, "no-such-program")));
        Assert.Equal(NoEntry, await init.CallAsync(Pm, Text(PmExec, "  ")));
        Assert.Equal(NoChild, await init.CallAsync(Pm, Request(PmKill, 12345)));
        Assert.Equal(NoSys, await init.CallAsync(Pm, Request(99)));
    }
}
