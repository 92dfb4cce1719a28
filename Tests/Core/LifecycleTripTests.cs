using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>§12.5 lifecycle races and what a new user tripped on: idempotent ends, unique names, typed errors.</summary>
public sealed class LifecycleTripTests(ITestOutputHelper output) : IpcTestKit(output)
{
    private const int Rounds = 12;

    [Fact(Timeout = 120_000)]
    public async Task Drvs_end_racing_StartVm_ends_every_vm_or_the_start_fails_with_DrvsInit()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var drvs = Drvs.Start();
            using var go = new Barrier(2);
            var starting = OnThread(() =>
            {
                go.SignalAndWait(Patience);
                try
                {
                    return drvs.StartVm(new VmOptions { Id = 1, Name = "race" });
                }
                catch (IpcException e) when (e.Status == IpcStatus.DrvsInit)
                {
                    return null;
                }
            });
            var ending = OnThread(() =>
            {
                go.SignalAndWait(Patience);
                return drvs.EndAsync();
            });
            await (await ending.WaitAsync(Patience)).WaitAsync(Patience);
            var vm = await starting.WaitAsync(Patience);
            Assert.False(drvs.IsInitialised, $"round {round}: the DRVS is still initialised");
            Assert.Empty(drvs.Vms);
            if (vm is null) continue;
            Assert.False(vm.IsRunning, $"round {round}: VM 1 still runs after drvs_end returned");
            Assert.True(vm.System.WhenTerminated.IsCompleted, $"round {round}: VM 1's ActorSystem still runs");
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task Once_drvs_end_has_begun_StartVm_fails_with_DrvsInit()
    {
        var drvs = Drvs.Start();
        var vm = drvs.StartVm(new VmOptions { Id = 1, Name = "first" });
        var during = new TaskCompletionSource<IpcStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The VM's Ending token is cancelled while drvs_end is under way.
        vm.Ending.Register(() =>
        {
            try
            {
                drvs.StartVm(new VmOptions { Id = 2, Name = "late" });
                during.SetResult(IpcStatus.Ok);
            }
            catch (IpcException e)
            {
                during.SetResult(e.Status);
            }
        });
        var ending = drvs.EndAsync();
        Assert.Same(ending, drvs.EndAsync());             // a second end while ending is the same end
        Assert.Equal(IpcStatus.DrvsInit, await during.Task.WaitAsync(Patience));
        await ending.WaitAsync(Patience);
        Assert.Empty(drvs.Vms);
        drvs.Init(new DrvsOptions());                     // and the DRVS may be initialised again
        await drvs.EndAsync().WaitAsync(Patience);
    }

    [Fact(Timeout = 20_000)]
    public async Task Ending_twice_is_harmless_for_drvs_and_vm()
    {
        var drvs = Drvs.Start();
        var vm = drvs.StartVm(new VmOptions { Id = 1, Name = "twice" });
        await vm.EndAsync().WaitAsync(Patience);
        await vm.EndAsync().WaitAsync(Patience);
        await drvs.EndAsync().WaitAsync(Patience);
        await drvs.EndAsync().WaitAsync(Patience);
        await drvs.DisposeAsync();
        Assert.False(drvs.IsInitialised);
    }

    [Fact(Timeout = 20_000)]
    public async Task Vm_names_are_unique_among_running_vms()
    {
        var twin = Assert.Throws<IpcException>(() => Drvs.StartVm(new VmOptions { Id = 2, Name = Vm.Name }));
        Assert.Equal(IpcStatus.BadRange, twin.Status);
        Assert.Contains($"'{Vm.Name}'", twin.Message);
        Assert.Contains("VM 1", twin.Message);
        await Vm.EndAsync().WaitAsync(Patience);
        var again = Drvs.StartVm(new VmOptions { Id = 2, Name = Vm.Name });    // free once that VM ended
        Assert.True(again.IsRunning);
        var tooLong = Assert.Throws<IpcException>(() => Drvs.StartVm(new VmOptions { Id = 3, Name = new string('n', 16) }));
        Assert.Equal(IpcStatus.BadRange, tooLong.Status);
        Assert.Contains("VmOptions.Name", tooLong.Message);
    }

    [Fact]
    public void RegisterBuffer_refuses_an_empty_buffer_and_no_access()
    {
        using var a = Vm.Bind();
        var empty = Assert.Throws<IpcException>(() => a.RegisterBuffer(Memory<byte>.Empty, BufferAccess.Read));
        Assert.Equal(IpcStatus.Range, empty.Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.RegisterBuffer(new byte[8], BufferAccess.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.RegisterBuffer(new byte[8], (BufferAccess)4));
        Assert.Equal(0, a.RegisterBuffer(new byte[8], BufferAccess.ReadWrite));     // nothing was stored before
    }

    [Fact(Timeout = 20_000)]
    public async Task WhenBound_timeouts_name_the_slot_and_accept_any_timeout()
    {
        var late = await Assert.ThrowsAsync<TimeoutException>(() => Vm.WhenBoundAsync(12, TimeSpan.FromMilliseconds(1)));
        Assert.Contains("slot 12", late.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Vm.WhenBoundAsync(12, TimeSpan.FromMilliseconds(-5)); });
        var forever = Vm.WhenBoundAsync(13, TimeSpan.MaxValue);           // infinite, not an argument error
        using var h = Vm.Bind(13);
        Assert.Equal(h.Endpoint, await forever.WaitAsync(Patience));
    }

    [Fact]
    public void Null_arguments_are_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => new Drvs().Init(null!));
        Assert.Throws<ArgumentNullException>(() => Drvs.StartVm(null!));
        Assert.Throws<ArgumentNullException>(() => Drvs.StartVm(new VmOptions { Id = 2, Name = null! }));
        Assert.Throws<ArgumentNullException>(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "n", Nodes = null! }));
        Assert.Throws<ArgumentNullException>(() => Drvs.StartVm(new VmOptions { Id = 2, Name = "n", ActorConfig = null! }));
        Assert.Throws<ArgumentNullException>(() => Drvs.Start(new DrvsOptions { ActorConfig = null! }));
        Assert.Throws<ArgumentNullException>(() => DrvsOptions.FromConfig(null!));
        Assert.Throws<ArgumentNullException>(() => M3Actors.Vm.Of(null!));
        Assert.Throws<ArgumentNullException>(() => { _ = Vm.RunTask(null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = Vm.StartThread(null!); });
        Assert.Throws<ArgumentNullException>(() => ProcView.Render((VmSnapshot)null!));
        Assert.Throws<ArgumentNullException>(() => ProcView.Render((DrvsSnapshot)null!));
        Assert.Single(Drvs.Vms);          // nothing was started, nothing was bound
        Assert.Empty(Vm.Snapshot().Procs);
    }

    public static TheoryData<string, string> BadHocon => new()
    {
        { "m3actors.drvs.max-vms = lots", "m3actors.drvs.max-vms" },
        { "m3actors.drvs.node-id = 1.5", "m3actors.drvs.node-id" },
        { "m3actors.drvs.max-copy-bytes = 99999999999", "m3actors.drvs.max-copy-bytes" },
        { "m3actors.drvs.max-nodes = [1, 2]", "m3actors.drvs.max-nodes" },
        { "m3actors.drvs.max-endpoints-per-vm { a = 1 }", "m3actors.drvs.max-endpoints-per-vm" },
        { "m3actors.drvs.max-vm = 8", "m3actors.drvs.max-vm" },
        { "m3actors.drvs = 3", "m3actors.drvs" },
    };

    [Theory]
    [MemberData(nameof(BadHocon))]
    public void DrvsOptions_FromConfig_errors_name_the_key(string hocon, string key)
    {
        var e = Assert.Throws<IpcException>(() => DrvsOptions.FromConfig(ConfigurationFactory.ParseString(hocon)));
        Assert.Equal(IpcStatus.BadRange, e.Status);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Out_of_range_drvs_settings_name_the_key()
    {
        var options = DrvsOptions.FromConfig(ConfigurationFactory.ParseString("m3actors.drvs.max-endpoints-per-vm = 20000"));
        var e = Assert.Throws<IpcException>(() => Drvs.Start(options));
        Assert.Equal(IpcStatus.BadRange, e.Status);
        Assert.Contains("m3actors.drvs.max-endpoints-per-vm = 20000", e.Message);
        var vm = Assert.Throws<IpcException>(() => Drvs.StartVm(new VmOptions { Id = 64, Name = "big" }));
        Assert.Contains("VmOptions.Id = 64", vm.Message);
        Assert.Contains("m3actors.drvs.max-vms", vm.Message);
    }
}
