using Akka.Actor;
using M3Actors.Hosting;
using M3Actors.Tests.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace M3Actors.Tests.Ecosystem;

/// <summary>M3Actors on the generic host: options from IConfiguration and HOCON, lifetime tied to the host's.</summary>
public sealed class HostingTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 30_000)]
    public async Task Drvs_and_vms_come_from_IConfiguration_over_HOCON()
    {
        using var host = Build(new Dictionary<string, string?>
        {
            ["M3Actors:Hocon"] = "m3actors.drvs { node-id = 3, max-vms = 8, max-copy-bytes = 1024 }",
            ["M3Actors:Drvs:MaxVms"] = "4",
            ["M3Actors:Vms:0:Id"] = "1",
            ["M3Actors:Vms:0:Name"] = "alpha",
            ["M3Actors:Vms:0:SystemSlots"] = "8",
            ["M3Actors:Vms:1:Id"] = "2",
            ["M3Actors:Vms:1:Name"] = "beta",
            ["M3Actors:Vms:1:Hocon"] = "m3actors.vcpus { vcpus = 1 }",
        });
        await host.StartAsync().WaitAsync(Patience);
        var drvs = host.Services.GetRequiredService<Drvs>();

        Assert.Equal((3, 4, 1024), (drvs.NodeId, drvs.Options.MaxVms, drvs.Options.MaxCopyBytes));
        var alpha = drvs.GetVm(1);
        Assert.Equal(("alpha", 8, 240), (alpha.Name, alpha.Options.SystemSlots, alpha.Options.UserSlots));
        Assert.Null(alpha.Vcpus);
        Assert.Equal(1, drvs.GetVm(2).Vcpus?.Snapshot().Count);

        await host.StopAsync().WaitAsync(Patience);
        Assert.False(drvs.IsInitialised);
        Assert.False(alpha.IsRunning);
    }

    [Fact(Timeout = 30_000)]
    public async Task Endpoints_registered_in_code_serve_once_the_host_has_started()
    {
        using var host = Build(configure: m3 => m3
            .WithHocon("m3actors.drvs.node-id = 5")
            .AddVm(new VmOptions { Id = 7, Name = "coded" },
                (vm, _) => vm.ActorOf(Props.Create(() => new EchoServer(3)), "echo")));
        await host.StartAsync().WaitAsync(Patience);
        var drvs = host.Services.GetRequiredService<Drvs>();
        var vm = drvs.GetVm(7);
        await vm.WhenBoundAsync(3, Patience);
        using var client = ProbeEndpoint.Bind(vm, timeout: Patience);

        var reply = client.ExpectIpcReply(Endpoint.System(3), new Message(41));

        Assert.Equal((42, 5), (reply.Type, drvs.NodeId));
        await host.StopAsync().WaitAsync(Patience);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stopping_the_host_ends_every_VM_and_releases_blocked_calls()
    {
        using var host = Build(configure: m3 => m3.AddVm(new VmOptions { Id = 1, Name = "one" }));
        await host.StartAsync().WaitAsync(Patience);
        var vm = host.Services.GetRequiredService<Drvs>().GetVm(1);
        using var receiver = vm.Bind();
        var receiving = Task.Factory.StartNew(() => receiver.Receive(Endpoint.Any, out _), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await WaitForState(vm, receiver.Endpoint, "RECEIVING");

        await host.StopAsync().WaitAsync(Patience);

        Assert.Equal(IpcStatus.VmNotRunning, await receiving.WaitAsync(Patience));
        Assert.True(vm.System.WhenTerminated.IsCompleted);
    }

    [Fact(Timeout = 30_000)]
    public async Task CoordinatedShutdown_of_a_VM_ends_it_and_stops_the_host()
    {
        using var host = Build(configure: m3 => m3
            .AddVm(new VmOptions { Id = 1, Name = "one" })
            .AddVm(new VmOptions { Id = 2, Name = "two" }));
        await host.StartAsync().WaitAsync(Patience);
        var drvs = host.Services.GetRequiredService<Drvs>();
        var (one, two) = (drvs.GetVm(1), drvs.GetVm(2));

        await CoordinatedShutdown.Get(one.System).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(Patience);

        await host.WaitForShutdownAsync().WaitAsync(Patience);
        Assert.False(one.IsRunning);
        Assert.False(two.IsRunning);
        Assert.False(drvs.IsInitialised);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_VM_that_cannot_start_fails_the_host_start_and_leaves_nothing_running()
    {
        using var host = Build(new Dictionary<string, string?>
        {
            ["M3Actors:Vms:0:Id"] = "1",
            ["M3Actors:Vms:0:Name"] = "fine",
            ["M3Actors:Vms:1:Id"] = "2",
            ["M3Actors:Vms:1:Name"] = "a-name-much-too-long",
        });
        var error = await Assert.ThrowsAsync<IpcException>(() => host.StartAsync().WaitAsync(Patience));

        Assert.Equal(IpcStatus.BadRange, error.Status);
        Assert.Contains("a-name-much-too-long", error.Message);
        Assert.False(host.Services.GetRequiredService<Drvs>().IsInitialised);
    }

    [Fact(Timeout = 30_000)]
    public async Task Drvs_limits_out_of_range_fail_the_start_with_their_key()
    {
        using var host = Build(new Dictionary<string, string?> { ["M3Actors:Drvs:MaxVms"] = "0" });
        var error = await Assert.ThrowsAsync<IpcException>(() => host.StartAsync().WaitAsync(Patience));
        Assert.Equal(IpcStatus.BadRange, error.Status);
        Assert.Contains("m3actors.drvs.max-vms = 0 is outside", error.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_configured_VM_without_an_id_names_its_key()
    {
        using var host = Build(new Dictionary<string, string?> { ["M3Actors:Vms:0:Name"] = "anon" });
        var error = await Assert.ThrowsAsync<IpcException>(() => host.StartAsync().WaitAsync(Patience));
        Assert.Contains("configuration M3Actors:Vms:0 has no Id", error.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Endpoints_for_a_VM_nobody_configured_fail_the_start_with_BadVmId()
    {
        using var host = Build(configure: m3 => m3.WithEndpoints(9, (vm, _) => vm.Bind()));
        var error = await Assert.ThrowsAsync<IpcException>(() => host.StartAsync().WaitAsync(Patience));
        Assert.Equal(IpcStatus.BadVmId, error.Status);
    }

    [Fact]
    public void AddM3Actors_twice_is_refused()
    {
        var services = new ServiceCollection().AddM3Actors(_ => { });
        var error = Assert.Throws<InvalidOperationException>(() => services.AddM3Actors(_ => { }));
        Assert.Contains("one DRVS", error.Message);
    }

    private static IHost Build(Dictionary<string, string?>? settings = null, Action<M3ActorsBuilder>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Services.AddM3Actors(builder.Configuration.GetSection(M3ActorsOptions.Section), configure);
        return builder.Build();
    }

    private Task WaitForState(Vm vm, Endpoint e, string state) =>
        AwaitAssertAsync(() => Assert.StartsWith(state, vm.Snapshot().Procs.Single(p => p.Endpoint == e).State), Patience);
}
