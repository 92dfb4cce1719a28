using System.Runtime.Versioning;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Native;
using M3Actors.Transport.Sync;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>Futex wait/wake on arena words across processes, and the spin budget.</summary>
[SupportedOSPlatform("linux")]
public sealed class FutexTests : IDisposable
{
    private const int WordSlot = 7;
    private static readonly TimeSpan Patience = HostProcess.Patience;
    private readonly ArenaDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task Wake_from_this_process_reaches_a_child_parked_on_the_word()
    {
        using var arena = Arena.Attach(_dir.Options());
        using var child = HostProcess.Start();
        await child.ExpectAsync(_dir.AttachCommand(), "attached ");
        child.Send($"futexwait {WordSlot} 0 {(int)Patience.TotalMilliseconds}");

        // Wake until one waiter was really woken: only a shared (not private) futex in the child can count.
        var woken = await Task.Run(() => WakeUntilOne(ref arena.SlotWord(WordSlot, 0)));

        Assert.Equal(1, woken);
        Assert.Equal("waited Woken", await child.NextReplyAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Wake_from_a_child_reaches_a_thread_parked_here()
    {
        using var arena = Arena.Attach(_dir.Options());
        using var child = HostProcess.Start();
        await child.ExpectAsync(_dir.AttachCommand(), "attached ");
        var waiter = OnThread(() => Futex.Wait(ref arena.SlotWord(WordSlot, 0), 0, Patience));

        Assert.Equal("woke 1", await child.AskAsync($"wakeuntil {WordSlot} {(int)Patience.TotalMilliseconds}"));
        Assert.Equal(FutexWaitResult.Woken, await waiter);
    }

    [Fact(Timeout = 60_000)]
    public async Task WaitWhile_returns_once_a_child_changes_the_word()
    {
        using var arena = Arena.Attach(_dir.Options());
        using var child = HostProcess.Start();
        await child.ExpectAsync(_dir.AttachCommand(), "attached ");
        var waiter = OnThread(() => SharedWait.WaitWhile(ref arena.SlotWord(WordSlot, 0), 0, Patience, arena.SpinGate));

        await child.ExpectAsync($"setwake {WordSlot} 1", "woke ");

        Assert.True(await waiter);
        Assert.Equal(0, arena.SpinGate.Spinners);
    }

    [Fact(Timeout = 30_000)]
    public async Task Wait_reports_a_changed_word_and_a_timeout()
    {
        await Task.Yield();
        using var arena = Arena.Attach(_dir.Options());
        ref var word = ref arena.SlotWord(WordSlot, 0);
        Volatile.Write(ref word, 5);
        Assert.Equal(FutexWaitResult.ValueChanged, Futex.Wait(ref word, 4, Patience));
        Assert.Equal(FutexWaitResult.TimedOut, Futex.Wait(ref word, 5, TimeSpan.FromMilliseconds(10)));
        Assert.False(SharedWait.WaitWhile(ref word, 5, TimeSpan.FromMilliseconds(10), arena.SpinGate));
        Assert.True(SharedWait.WaitWhile(ref word, 4, TimeSpan.Zero, arena.SpinGate));
        Assert.Equal(0, Futex.Wake(ref word, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Futex.Wait(ref arena.SlotWord(WordSlot, 0), 5, TimeSpan.FromSeconds(-2)));
    }

    [Theory]
    [InlineData(1, 2, 1.0)]
    [InlineData(2, 2, 1.0)]
    [InlineData(3, 2, 0.5)]
    [InlineData(4, 2, 0.0)]
    [InlineData(9, 2, 0.0)]
    [InlineData(5, 4, 0.75)]
    public void Spin_budget_shrinks_as_spinners_outnumber_cores(int spinners, int cores, double share)
    {
        var full = SpinGate.BudgetTicks(1, cores);
        Assert.True(full > 0);
        Assert.Equal((long)(full * share), SpinGate.BudgetTicks(spinners, cores));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_leaving_process_gives_back_its_spinner_share()
    {
        await Task.Yield();
        using var stays = Arena.Attach(_dir.Options());
        var leaves = Arena.Attach(_dir.Options());
        leaves.SpinGate.Enter();
        Assert.Equal(1, stays.SpinGate.Spinners);
        // Never Exit: as if killed mid-spin; the entry's share goes back with the entry.
        leaves.Dispose();
        Assert.Equal(0, stays.SpinGate.Spinners);
    }

    private static int WakeUntilOne(ref int word)
    {
        var deadline = Deadline.After(Patience);
        var spin = new SpinWait();
        while (deadline.Left > TimeSpan.Zero)
        {
            var woken = Futex.Wake(ref word, 1);
            if (woken > 0) return woken;
            spin.SpinOnce();
        }
        return 0;
    }

    private static Task<T> OnThread<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
