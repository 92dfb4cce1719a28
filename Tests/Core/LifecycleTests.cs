using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>DRVS, VM and bind: the lifecycle calls throw <see cref="IpcException"/> with the exact status.</summary>
public sealed class LifecycleTests(ITestOutputHelper output) : IpcTestKit(output)
{
    private static IpcStatus StatusOf(Action call) => Assert.Throws<IpcException>(call).Status;

    [Fact(Timeout = 20_000)]
    public async Task Drvs_init_twice_is_DrvsBusy()
    {
        var drvs = Drvs.Start();
        try
        {
            Assert.Equal(IpcStatus.DrvsBusy, StatusOf(() => drvs.Init(new DrvsOptions())));
        }
        finally
        {
            await drvs.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task StartVm_before_init_and_after_end_is_DrvsInit()
    {
        var fresh = new Drvs();
        Assert.Equal(IpcStatus.DrvsInit, StatusOf(() => fresh.StartVm(new VmOptions { Id = 1, Name = "early" })));
        var drvs = Drvs.Start();
        var vm = drvs.StartVm(new VmOptions { Id = 1, Name = "once" });
        await drvs.EndAsync().WaitAsync(Patience);
        Assert.False(vm.IsRunning);
        Assert.Equal(IpcStatus.DrvsInit, StatusOf(() => drvs.StartVm(new VmOptions { Id = 2, Name = "late" })));
        await drvs.EndAsync().WaitAsync(Patience);      // drvs_end is idempotent (§12.5 trips)
        Assert.Equal(IpcStatus.DrvsInit, StatusOf(() => drvs.GetVm(1)));
    }

    [Fact]
    public void Bad_drvs_options_are_BadRange()
    {
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.Start(new DrvsOptions { NodeId = 32 })));
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.Start(new DrvsOptions { MaxVms = 0 })));
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.Start(new DrvsOptions { MaxCopyBytes = -1 })));
    }

    [Fact]
    public void Bad_vm_options_get_their_status()
    {
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.StartVm(new VmOptions { Id = -1, Name = "neg" })));
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.StartVm(new VmOptions { Id = 64, Name = "big" })));
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "sixteen-chars-xx" })));
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "" })));
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "sp ace" })));
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "none", SystemSlots = 0, UserSlots = 0 })));
        Assert.Equal(IpcStatus.BadRange, StatusOf(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "huge", UserSlots = 5000 })));
        Assert.Equal(IpcStatus.BadNodeId, StatusOf(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "n", Nodes = new HashSet<int> { 0, 99 } })));
        Assert.Equal(IpcStatus.BadNodeId, StatusOf(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "n", Nodes = new HashSet<int> { 1 } })));
        Assert.Equal(IpcStatus.BadVmId, StatusOf(() => Drvs.StartVm(new VmOptions { Id = Vm.Id, Name = "dup" })));
        Assert.Equal(IpcStatus.BadVmId, StatusOf(() => Drvs.GetVm(7)));
        Assert.Single(Drvs.Vms);        // none of the bad ones started
    }

    [Fact]
    public void Double_bind_of_a_fixed_slot_is_SlotUsed_and_out_of_range_is_Range()
    {
        using var first = Vm.Bind(4);
        Assert.Equal(IpcStatus.SlotUsed, StatusOf(() => Vm.Bind(4)));
        Assert.Equal(IpcStatus.Range, StatusOf(() => Vm.Bind(Vm.Options.SystemSlots + Vm.Options.UserSlots)));
        Assert.Equal(IpcStatus.Range, StatusOf(() => Vm.Bind(-1)));
        Assert.True(first.IsBound);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_full_endpoint_table_is_Busy()
    {
        var vm = ExtraVm(2, new VmOptions { Id = 2, Name = "tiny", SystemSlots = 1, UserSlots = 2 });
        try
        {
            using var a = vm.Bind();
            using var b = vm.Bind();
            Assert.Equal(IpcStatus.Busy, StatusOf(() => vm.Bind()));
            using var system = vm.Bind(0);      // system slots are not user slots
            b.Dispose();
            using var c = vm.Bind();            // a freed user slot is reused
            Assert.Equal(b.Endpoint.Slot, c.Endpoint.Slot);
            Assert.NotEqual(b.Endpoint, c.Endpoint);
        }
        finally
        {
            await vm.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task An_ended_vm_is_VmNotRunning_for_calls_and_bind()
    {
        var vm = ExtraVm(2);
        var a = vm.Bind();
        var b = vm.Bind();
        await vm.EndAsync().WaitAsync(Patience);
        Assert.False(vm.IsRunning);
        Assert.Equal(IpcStatus.VmNotRunning, StatusOf(() => vm.Bind()));
        Assert.Equal(IpcStatus.VmNotRunning, StatusOf(() => vm.Bind(3)));
        var m = Msg(1);
        Assert.Equal(IpcStatus.VmNotRunning, a.Send(b.Endpoint, in m, Patience));
        Assert.Equal(IpcStatus.VmNotRunning, a.SendNb(b.Endpoint, in m));
        Assert.Equal(IpcStatus.VmNotRunning, a.SendRec(b.Endpoint, ref m, Patience));
        Assert.Equal(IpcStatus.VmNotRunning, a.Receive(Endpoint.Any, out _, Patience));
        Assert.Equal(IpcStatus.VmNotRunning, a.Notify(b.Endpoint));
        Assert.Equal(IpcStatus.VmNotRunning, (await a.ReceiveAsync(Endpoint.Any).AsTask().WaitAsync(Patience)).Status);
        Assert.Equal(IpcStatus.BadVmId, StatusOf(() => Drvs.GetVm(2)));
        a.Dispose();
        b.Dispose();
    }

    [Fact(Timeout = 20_000)]
    public async Task Ending_the_drvs_ends_every_vm()
    {
        var drvs = Drvs.Start();
        var one = drvs.StartVm(new VmOptions { Id = 1, Name = "one" });
        var two = drvs.StartVm(new VmOptions { Id = 2, Name = "two" });
        using var h = two.Bind();
        await drvs.EndAsync().WaitAsync(Patience);
        Assert.False(one.IsRunning);
        Assert.False(two.IsRunning);
        Assert.True(one.System.WhenTerminated.IsCompleted);
        Assert.Equal(IpcStatus.VmNotRunning, h.Notify(Endpoint.System(1)));
        drvs.Init(new DrvsOptions());       // may be initialised again
        await drvs.EndAsync().WaitAsync(Patience);
    }

    [Fact(Timeout = 20_000)]
    public async Task Call_mask_is_TrapDenied_and_destination_set_is_CallDenied()
    {
        var vm = ExtraVm(2, new VmOptions
        {
            Id = 2,
            Name = "priv",
            SlotPrivileges = new Dictionary<int, Privileges>
            {
                [5] = new(IpcCalls.Receive | IpcCalls.Notify),
                [6] = new(IpcCalls.All, new HashSet<int> { 3 }),
            },
        });
        try
        {
            using var server = vm.Bind(3);
            using var other = vm.Bind(4);
            using var listener = vm.Bind(5);
            using var limited = vm.Bind(6);
            var m = Msg(1);
            Assert.Equal(IpcStatus.TrapDenied, listener.Send(server.Endpoint, in m, Patience));
            Assert.Equal(IpcStatus.TrapDenied, listener.SendNb(server.Endpoint, in m));
            Assert.Equal(IpcStatus.TrapDenied, listener.SendRec(server.Endpoint, ref m, Patience));
            Assert.Equal(IpcStatus.TrapDenied, listener.Reply(server.Endpoint, in m));
            Assert.Equal(IpcStatus.TrapDenied, listener.RcvRqst(out _, TimeSpan.Zero));
            Assert.Equal(IpcStatus.TrapDenied, listener.VCopy(Endpoint.Self, new(0), server.Endpoint, new(0), 0));
            Assert.Equal(IpcStatus.Ok, listener.Notify(server.Endpoint));                   // allowed by the mask
            Assert.Equal(IpcStatus.Again, listener.Receive(Endpoint.Any, out _, TimeSpan.Zero));

            Assert.Equal(IpcStatus.CallDenied, limited.Send(other.Endpoint, in m, Patience));
            Assert.Equal(IpcStatus.CallDenied, limited.SendNb(other.Endpoint, in m));
            Assert.Equal(IpcStatus.CallDenied, limited.SendRec(other.Endpoint, ref m, Patience));
            Assert.Equal(IpcStatus.CallDenied, limited.Notify(other.Endpoint));
            Assert.Equal(0, ProcOf(other.Endpoint, vm)!.PendingNotifies);
            Assert.Equal(IpcStatus.NotReady, limited.SendNb(server.Endpoint, in m));        // slot 3 is in its set
            Assert.Equal(IpcStatus.Ok, limited.Notify(server.Endpoint));
            Assert.Equal(2, ProcOf(server.Endpoint, vm)!.PendingNotifies);
        }
        finally
        {
            await vm.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task Validation_order_partner_value_before_privileges()
    {
        // Rulebook §5: bound, VM running, partner value, privileges, then the rule.
        var vm = ExtraVm(2, new VmOptions
        {
            Id = 2,
            Name = "order",
            SlotPrivileges = new Dictionary<int, Privileges> { [5] = new(IpcCalls.Receive), [6] = new(IpcCalls.All, new HashSet<int>()) },
        });
        try
        {
            using var noSend = vm.Bind(5);
            using var noDst = vm.Bind(6);
            Assert.Equal(IpcStatus.BadSrcDst, noSend.SendNb(Endpoint.None, Msg(1)));
            Assert.Equal(IpcStatus.BadEndpoint, noSend.SendNb(Endpoint.Self, Msg(1)));
            Assert.Equal(IpcStatus.BadSrcDst, noDst.SendNb(Endpoint.Any, Msg(1)));
            Assert.Equal(IpcStatus.BadEndpoint, noDst.Notify(Endpoint.Self));
            Assert.Equal(IpcStatus.CallDenied, noDst.SendNb(noSend.Endpoint, Msg(1)));
            noSend.Dispose();
            await vm.EndAsync().WaitAsync(Patience);
            Assert.Equal(IpcStatus.VmNotRunning, noDst.SendNb(Endpoint.None, Msg(1)));      // VM before partner
        }
        finally
        {
            if (vm.IsRunning) await vm.EndAsync().WaitAsync(Patience);
        }
    }
}
