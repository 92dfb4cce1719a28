using M3Actors.Examples.Minix;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Tests.Examples;

/// <summary>The whole system booted under RS: crashes of the disk driver and of VFS during real work.</summary>
public sealed class MinixSystemTests(ITestOutputHelper output) : MinixTestKit(output)
{
    private readonly ShellTally _tally = new();
    private readonly CancellationTokenSource _stop = new();

    private Task<MinixSystem> BootAsync() => MinixSystem.BootAsync(Vm, new BlockDevice(256),
        new Dictionary<string, UserProgram> { ["sh"] = Shell.Program(_tally, Patience, _stop.Token) });

    [Fact(Timeout = 60_000)]
    public async Task Driver_crashes_during_a_workload_are_invisible_to_clients_and_corrupt_no_byte()
    {
        const int crashes = 5;
        var system = await BootAsync();
        var shells = system.RunProgramsAsync(["sh 0", "sh 1", "sh 2"], TimeSpan.FromSeconds(50));

        for (var k = 1; k <= crashes; k++)
        {
            // Each crash lands in the middle of the workload: after the shells made progress, on a request in flight.
            var ops = _tally.Ops;
            await AwaitConditionAsync(() => _tally.Ops >= ops + 50, Patience);
            await system.CrashOnNextRequestAsync(DiskSlot, Patience);
            await system.Journal.WhenRestartedAsync(k, Patience);
        }
        await _stop.CancelAsync();
        var exits = await shells.WaitAsync(Patience);

        Assert.Empty(_tally.Failures);
        Assert.Equal(0, _tally.Failed);
        Assert.Equal([Ok, Ok, Ok], exits);
        Assert.Equal(0, _tally.BytesWrong);
        Assert.True(_tally.BytesChecked > 0);
        Assert.Equal(crashes, system.Journal.Restarts.Count(r => r.Service == "disk" && r.Reason.Contains("half-way")));
        Assert.Empty(system.Journal.Failures);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_vfs_crash_is_an_error_for_its_caller_then_RS_restarts_vfs_with_an_empty_table()
    {
        var system = await BootAsync();
        var libc = Client();
        var fd = await libc.OpenAsync("kept", OCreat);
        Fill(libc, 2000, key: 5);
        Assert.Equal(2000, await libc.WriteAsync(fd, 2000));

        await system.CrashOnNextRequestAsync(VfsSlot, Patience);
        Assert.Equal((int)IpcStatus.SrcDied, await libc.StatAsync("kept"));    // the request VFS died under
        await system.Journal.WhenRestartedAsync(1, Patience);

        // The same endpoint answers again, but VFS's table lived in its memory: names and open fds are gone.
        Assert.Equal("vfs", Assert.Single(system.Journal.Restarts).Service);
        Assert.Equal(NoEntry, await libc.StatAsync("kept"));
        Assert.Equal(BadFd, await libc.ReadAsync(fd, 10));
        var again = await libc.OpenAsync("new", OCreat);
        Assert.True(again >= 0, Describe(again));
        var written = Fill(libc, 1500, key: 6);
        Assert.Equal(1500, await libc.WriteAsync(again, 1500));
        Array.Clear(libc.Memory);
        var reread = await libc.OpenAsync("new", 0);
        Assert.True(reread >= 0, Describe(reread));
        Assert.Equal(1500, await libc.ReadAsync(reread, 1500));
        Assert.Equal(written, libc.Memory[..1500]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Boot_puts_every_server_on_its_system_slot_and_a_shell_runs_through_pm()
    {
        var system = await BootAsync();
        foreach (var slot in new[] { PmSlot, VfsSlot, RsSlot, ClockSlot, DiskSlot })
            Assert.NotNull(ProcOf(Endpoint.System(slot)));
        await _stop.CancelAsync();          // one round only

        var exits = await system.RunProgramsAsync(["sh 9"], Patience);

        Assert.Equal([Ok], exits);
        Assert.Equal(0, _tally.Failed);
        Assert.True(_tally.BytesChecked > 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_minix_command_passes_a_short_run_and_writes_the_read_trace()
    {
        var text = new StringWriter();

        var code = await MinixCommand.RunAsync(text, ["--clients", "2", "--crashes", "2", "--seconds", "0.3"]);

        Output.WriteLine(text.ToString());
        Assert.Equal(0, code);
        Assert.Contains("failed as seen by clients:  0", text.ToString());
        Assert.Contains("driver restarts:            2 of 2", text.ToString());
        var trace = await File.ReadAllTextAsync(Path.Combine("artifacts", "minix", "read-trace.txt"));
        Assert.Contains("sendrec VFS_READ", trace);
        Assert.Contains("sendrec BDEV_READ", trace);
        var diagram = await File.ReadAllTextAsync(Path.Combine("artifacts", "minix", "read-trace.md"));
        Assert.Contains("sequenceDiagram", diagram);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("--clients", "0")]
    [InlineData("--seconds", "x")]
    [InlineData("--bogus", "1")]
    public async Task The_minix_command_rejects_bad_arguments(string option, string value)
    {
        var text = new StringWriter();
        Assert.Equal(2, await MinixCommand.RunAsync(text, [option, value]));
        Assert.Contains("usage", text.ToString());
    }

    private async Task AwaitConditionAsync(Func<bool> condition, TimeSpan timeout) =>
        await AwaitAssertAsync(() => Assert.True(condition()), timeout);
}
