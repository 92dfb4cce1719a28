using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// Two processes binding "any free user slot" at the same moment: the free-slot search reads the records without
/// their locks, so both can find the same slot; the claim is decided under the record's lock and the loser searches
/// on, so every bind succeeds and no slot is handed out twice.
/// </summary>
public sealed class BindRaceTests : SharedVmTest
{
    private const int Rounds = 300;

    [Fact(Timeout = 120_000)]
    public async Task Two_processes_binding_free_slots_at_once_all_succeed_with_distinct_slots()
    {
        // Together they bind every user slot: each search starts at the first user slot and walks the same order, so
        // the two meet on the same slots again and again while the other side binds and unbinds.
        var each = SharedVm.UserSlots / 2;
        using var first = await LiteChildAsync();
        using var second = await LiteChildAsync();
        var command = $"lite bindany {Rounds} {each}";
        first.Send(command);
        second.Send(command);

        var firstSlots = SlotsIn(await first.NextReplyAsync());
        var secondSlots = SlotsIn(await second.NextReplyAsync());

        Assert.Equal(each, firstSlots.Distinct().Count());
        Assert.Equal(each, secondSlots.Distinct().Count());
        Assert.Empty(firstSlots.Intersect(secondSlots));
        Assert.All(firstSlots.Concat(secondSlots), s => Assert.InRange(s, SharedVm.SystemSlots,
            SharedVm.SystemSlots + SharedVm.UserSlots - 1));
        // /proc here agrees: every user slot bound, each by the child that reported it.
        var procs = Shared.Vm.Snapshot().Procs.ToDictionary(p => p.Endpoint.Slot);
        Assert.All(firstSlots, s => Assert.Equal(first.Pid, procs[s].ProcessId));
        Assert.All(secondSlots, s => Assert.Equal(second.Pid, procs[s].ProcessId));
        Assert.Null(Shared.Vm.Kernel.CheckRecords());
    }

    private async Task<HostProcess> LiteChildAsync()
    {
        var child = HostProcess.Start();
        try
        {
            await child.ExpectAsync($"lite attach {Arenas.Path} 1 {Shared.VmId} {Shared.Name} " +
                $"{SharedVm.SystemSlots} {SharedVm.UserSlots} {SharedVm.MaxProcesses}", "lite attached");
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    // "lite boundany 16,17,…"; anything else (an error line) fails here with the line itself.
    private static int[] SlotsIn(string reply)
    {
        Assert.StartsWith("lite boundany ", reply);
        return [.. reply["lite boundany ".Length..].Split(',').Select(int.Parse)];
    }
}
