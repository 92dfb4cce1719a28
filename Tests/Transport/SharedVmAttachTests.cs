using M3Actors.Transport;
using M3Actors.Transport.Arena;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// Attaching to a VM shared between processes: its /proc shows every process's endpoints with their pid, a bind
/// elsewhere completes WhenBound here, slots are allocated across processes from the records, two VMs' arenas are
/// apart, and a VM with other slot counts cannot attach.
/// </summary>
public sealed class SharedVmAttachTests : SharedVmTest
{
    [Fact(Timeout = 60_000)]
    public async Task Proc_here_shows_the_childs_endpoints_with_its_pid()
    {
        var child = await Shared.ChildAsync();
        var server = SharedVm.EndpointIn(await child.ExpectAsync("vm server actor 3", "vm serving"));
        var thread = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var here = Shared.Vm.Bind(owner: "here");

        var procs = Shared.Vm.Snapshot().Procs;
        var remoteActor = Assert.Single(procs, p => p.Endpoint == server);
        Assert.Equal((Kernel.OwnerKind.Actor, child.Pid), (remoteActor.Kind, remoteActor.ProcessId));
        Assert.Contains("echo3", remoteActor.Owner);
        var remoteThread = Assert.Single(procs, p => p.Endpoint == thread);
        Assert.Equal((Kernel.OwnerKind.Thread, child.Pid, $"host {child.Pid} slot 20"),
            (remoteThread.Kind, remoteThread.ProcessId, remoteThread.Owner));
        Assert.Equal(Environment.ProcessId, Assert.Single(procs, p => p.Endpoint == here.Endpoint).ProcessId);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bind_in_a_child_completes_WhenBound_here_and_slots_are_not_handed_out_twice()
    {
        var child = await Shared.ChildAsync();
        var bound = Shared.Vm.WhenBoundAsync(5, SharedVm.Patience);
        Assert.False(bound.IsCompleted);
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 5", "vm bound"));
        Assert.Equal(remote, await bound);

        var used = Assert.Throws<IpcException>(() => Shared.Vm.Bind(5));
        Assert.Equal(IpcStatus.SlotUsed, used.Status);
        // Free user slots alternate between the processes: each skips the records the other bound.
        var mine = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            mine.Add(Shared.Vm.Bind(owner: $"here {i}").Endpoint.Slot);
            var theirs = SharedVm.EndpointIn(await child.ExpectAsync($"vm bind {30 + i}", "vm bound"));
            Assert.DoesNotContain(theirs.Slot, mine);
        }
        Assert.Equal(3, mine.Distinct().Count());
    }

    [Fact(Timeout = 60_000)]
    public async Task Privileges_of_a_caller_here_hold_for_partners_in_a_child()
    {
        await using var restricted = SharedVm.Attach(Arenas, vmId: 3, name: "restricted", new Dictionary<int, Privileges>
        {
            [10] = new(IpcCalls.All, new HashSet<int> { 3 }),
            [11] = new(IpcCalls.Receive | IpcCalls.Reply),
        });
        var child = await restricted.ChildAsync();
        var server = SharedVm.EndpointIn(await child.ExpectAsync("vm server thread 3", "vm serving"));
        var other = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var toServerOnly = restricted.Vm.Bind(10, "may call slot 3 only");
        using var receiveOnly = restricted.Vm.Bind(11, "may only receive and reply");

        var m = new Message(1);
        Assert.Equal(IpcStatus.Ok, toServerOnly.SendRec(server, ref m, SharedVm.Patience));
        Assert.Equal(IpcStatus.CallDenied, toServerOnly.Send(other, new Message(2), SharedVm.Patience));
        Assert.Equal(IpcStatus.TrapDenied, receiveOnly.SendRec(server, ref m, SharedVm.Patience));
        Assert.Equal(IpcStatus.TrapDenied, receiveOnly.Notify(other));
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_vms_have_separate_arenas()
    {
        var child = await Shared.ChildAsync(vmId: 2, name: "other");
        var there = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 3", "vm bound"));
        Assert.Equal(Endpoint.System(3), there);
        Assert.Null(Shared.ProcOf(there));         // VM 2's slot 3 is not VM 1's
        using var here = Shared.Vm.Bind(3, "vm 1's slot 3");
        Assert.Equal(there, here.Endpoint);     // the same value, another VM
        Assert.Equal(2, Directory.GetFiles(Arenas.Path, "*.arena").Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task Attaching_with_another_slot_count_is_a_LayoutMismatch_that_harms_nobody()
    {
        await using var drvs = Drvs.Start();
        var mismatch = Assert.Throws<ArenaException>(() =>
            drvs.AttachVm(SharedVm.Options(Arenas, Shared.VmId, Shared.Name, userSlots: SharedVm.UserSlots + 1)));
        Assert.Equal(ArenaFailure.LayoutMismatch, mismatch.Reason);
        Assert.Empty(drvs.Vms);

        using var here = Shared.Vm.Bind(owner: "still here");
        Assert.True(here.IsBound);
        Assert.NotNull(Shared.ProcOf(here.Endpoint));
    }
}
