using System.Runtime.Versioning;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Sync;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The process-shared lock word: ownership, hand-over across processes, takeover from a killed owner.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SharedLockTests(ITestOutputHelper output) : IDisposable
{
    private const int LockSlot = 3;
    private static readonly TimeSpan Patience = HostProcess.Patience;
    private readonly ArenaDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task Lock_word_holds_the_owner_tag_and_only_the_owner_releases()
    {
        await Task.Yield();
        using var a = Arena.Attach(_dir.Options());
        using var b = Arena.Attach(_dir.Options());
        ref var word = ref a.SlotWord(LockSlot, 0);
        Assert.Equal(LockResult.Acquired, Acquire(a, ref word, Patience));
        Assert.Equal(a.OwnerTag, SharedLock.OwnerOf(Volatile.Read(ref word)));
        Assert.False(SharedLock.TryAcquire(ref word, b.OwnerTag));
        Assert.Throws<InvalidOperationException>(() => SharedLock.Release(ref b.SlotWord(LockSlot, 0), b.OwnerTag));
        Assert.Throws<InvalidOperationException>(() => Acquire(a, ref a.SlotWord(LockSlot, 0), Patience));
        Assert.Equal(LockResult.TimedOut, Acquire(b, ref b.SlotWord(LockSlot, 0), TimeSpan.FromMilliseconds(50)));
        SharedLock.Release(ref word, a.OwnerTag);
        Assert.Equal(0, Volatile.Read(ref word));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedLock.TryAcquire(ref a.SlotWord(LockSlot, 0), 0));
    }

    [Fact(Timeout = 60_000)]
    public async Task Lock_released_by_a_child_passes_to_a_parked_waiter_as_Acquired()
    {
        using var arena = Arena.Attach(_dir.Options());
        using var child = HostProcess.Start();
        await child.ExpectAsync(_dir.AttachCommand(), "attached ");
        await child.ExpectAsync($"lock {LockSlot}", "lock Acquired");

        var waiter = OnThread(() => Acquire(arena, ref arena.SlotWord(LockSlot, 0), Patience));
        await AwaitWaitersBit(arena);
        await child.ExpectAsync($"unlock {LockSlot}", "unlocked");

        Assert.Equal(LockResult.Acquired, await waiter);
        Assert.Equal(arena.OwnerTag, SharedLock.OwnerOf(Volatile.Read(ref arena.SlotWord(LockSlot, 0))));
    }

    [Fact(Timeout = 60_000)]
    public async Task Lock_held_by_a_child_killed_with_SIGKILL_is_taken_over_with_OwnerDied()
    {
        using var arena = Arena.Attach(_dir.Options());
        using var child = HostProcess.Start();
        await child.ExpectAsync(_dir.AttachCommand(), "attached ");
        await child.ExpectAsync($"lock {LockSlot}", "lock Acquired");

        var waiter = OnThread(() => Acquire(arena, ref arena.SlotWord(LockSlot, 0), Patience));
        await AwaitWaitersBit(arena);
        var clock = Stopwatch.StartNew();
        await child.KillHardAsync();

        Assert.Equal(LockResult.OwnerDied, await waiter);
        output.WriteLine($"SIGKILL to lock taken over: {clock.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(arena.OwnerTag, SharedLock.OwnerOf(Volatile.Read(ref arena.SlotWord(LockSlot, 0))));
        SharedLock.Release(ref arena.SlotWord(LockSlot, 0), arena.OwnerTag);
    }

    [Fact(Timeout = 60_000)]
    public async Task Reaper_takes_over_the_dead_childs_lock_in_its_death_callback()
    {
        var takenOver = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Arena? arena = null;
        var childTag = 0;
        arena = Arena.Attach(_dir.Options(), _ =>
            takenOver.TrySetResult(SharedLock.TryTakeOver(ref arena!.SlotWord(LockSlot, 0), childTag, arena.OwnerTag)));
        using (arena)
        {
            using var child = HostProcess.Start();
            childTag = int.Parse((await child.ExpectAsync(_dir.AttachCommand(), "attached "))[2]);
            await child.ExpectAsync($"lock {LockSlot}", "lock Acquired");
            Assert.Equal(childTag, SharedLock.OwnerOf(Volatile.Read(ref arena.SlotWord(LockSlot, 0))));

            await child.KillHardAsync();

            Assert.True(await takenOver.Task.WaitAsync(Patience));
            Assert.Equal(arena.OwnerTag, SharedLock.OwnerOf(Volatile.Read(ref arena.SlotWord(LockSlot, 0))));
            Assert.False(SharedLock.TryTakeOver(ref arena.SlotWord(LockSlot, 0), childTag, arena.OwnerTag));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Child_waiting_on_a_lock_gets_it_when_this_process_releases()
    {
        using var arena = Arena.Attach(_dir.Options());
        using var child = HostProcess.Start();
        await child.ExpectAsync(_dir.AttachCommand(), "attached ");
        Assert.Equal(LockResult.Acquired, Acquire(arena, ref arena.SlotWord(LockSlot, 0), Patience));

        child.Send($"lock {LockSlot}");
        await AwaitWaitersBit(arena);
        SharedLock.Release(ref arena.SlotWord(LockSlot, 0), arena.OwnerTag);

        Assert.Equal("lock Acquired", await child.NextReplyAsync());
    }

    private static LockResult Acquire(Arena arena, ref int word, TimeSpan timeout) =>
        SharedLock.Acquire(ref word, arena.OwnerTag, arena.Processes, arena.SpinGate, timeout);

    /// <summary>Waits (bounded) until a waiter announced itself in the lock word, i.e. it is about to park.</summary>
    private static async Task AwaitWaitersBit(Arena arena)
    {
        using var cts = new CancellationTokenSource(Patience);
        while ((Volatile.Read(ref arena.SlotWord(LockSlot, 0)) & SharedLock.WaitersBit) == 0)
        {
            await Task.Delay(1, cts.Token);
        }
    }

    private static Task<T> OnThread<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
