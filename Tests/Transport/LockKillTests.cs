using System.Runtime.Versioning;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Sync;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Transport;

/// <summary>
/// Children hammering one lock word are killed with SIGKILL at arbitrary points, inside or outside the critical
/// section, while this process contends for the same lock: nobody hangs, the section never has two owners, and a
/// lock left by a dead owner is always taken over with <see cref="LockResult.OwnerDied"/> and repaired.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LockKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Slot = 11;
    private const int Rounds = 4;
    private const int ProgressPerRound = 2_000;
    private readonly ArenaDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 180_000)]
    public async Task Killing_lock_holders_at_arbitrary_moments_never_hangs_or_breaks_exclusion()
    {
        using var arena = Arena.Attach(_dir.Options());
        var ownerDied = 0;
        for (var round = 0; round < Rounds; round++)
        {
            using var child = HostProcess.Start();
            await child.ExpectAsync(_dir.AttachCommand(), "attached ");
            var start = Volatile.Read(ref arena.SlotWord(Slot, 2));
            await child.ExpectAsync($"lockloop {Slot}", "looping");

            // Contend from here until the child made progress, then kill it wherever it is.
            var target = start + ProgressPerRound;
            var deadline = Deadline.After(HostProcess.Patience);
            while (Volatile.Read(ref arena.SlotWord(Slot, 2)) < target)
            {
                Assert.True(deadline.Left > TimeSpan.Zero, "the child made no progress");
                ownerDied += Section(arena);
            }
            await child.KillHardAsync();
            // After the kill: the lock must come back, repaired if the child died inside.
            ownerDied += Section(arena);
        }
        output.WriteLine($"{Rounds} kills, {ownerDied} takeovers with OwnerDied, " +
            $"{Volatile.Read(ref arena.SlotWord(Slot, 2))} sections in all");
        Assert.Equal(0, Volatile.Read(ref arena.SlotWord(Slot, 0)));
    }

    /// <summary>One pass through the critical section; 1 when the lock was taken over from a dead owner.</summary>
    private static int Section(Arena arena)
    {
        var result = SharedLock.Acquire(ref arena.SlotWord(Slot, 0), arena.OwnerTag, arena.Processes,
            arena.SpinGate, HostProcess.Patience);
        Assert.NotEqual(LockResult.TimedOut, result);
        if (result == LockResult.OwnerDied) Volatile.Write(ref arena.SlotWord(Slot, 1), 0);
        Assert.Equal(0, Interlocked.Exchange(ref arena.SlotWord(Slot, 1), 1));
        Interlocked.Increment(ref arena.SlotWord(Slot, 2));
        Volatile.Write(ref arena.SlotWord(Slot, 1), 0);
        SharedLock.Release(ref arena.SlotWord(Slot, 0), arena.OwnerTag);
        return result == LockResult.OwnerDied ? 1 : 0;
    }
}
