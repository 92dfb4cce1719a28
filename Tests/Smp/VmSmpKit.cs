using Akka.Actor;
using Akka.Configuration;
using M3Actors.Smp;

namespace M3Actors.Tests.Smp;

/// <summary>Boots a DRVS with one VM on vCPUs; tests dispose it (ending every VM) with <c>await using</c>.</summary>
public sealed class VmSmpKit : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private VmSmpKit(Drvs drvs, Vm vm) => (Drvs, Vm) = (drvs, vm);

    public Drvs Drvs { get; }

    public Vm Vm { get; }

    public VcpuDispatcher Vcpus => Vm.Vcpus ?? throw new InvalidOperationException("the VM has no vCPUs");

    public static VmSmpKit Start(VcpuOptions? vcpus, string hocon = "")
    {
        var drvs = Drvs.Start();
        try
        {
            var vm = drvs.StartVm(new VmOptions
            {
                Id = 1, Name = "smp", Vcpus = vcpus, ActorConfig = ConfigurationFactory.ParseString(hocon),
            });
            return new VmSmpKit(drvs, vm);
        }
        catch
        {
            drvs.EndAsync().Wait(Patience);
            throw;
        }
    }

    /// <summary>Starts an endpoint actor and waits until its endpoint is bound.</summary>
    public async Task<(IActorRef Actor, Endpoint Endpoint)> StartAsync(Props props, string name, VcpuRole role, int? vcpu, int slot)
    {
        var actor = Vm.ActorOf(props, name, role, vcpu);
        return (actor, await Vm.WhenBoundAsync(slot, Patience));
    }

    /// <summary>An IPC client actor on a user slot, bound before this returns.</summary>
    public async Task<(IActorRef Actor, Endpoint Endpoint)> ClientAsync(string name, VcpuRole role = VcpuRole.Client, int? vcpu = null)
    {
        var actor = Vm.ActorOf(Props.Create<IpcClient>(), name, role, vcpu);
        var owner = $"/user/{name}";
        await Until(() => Vm.Snapshot().Procs.Any(p => p.Owner == owner));
        return (actor, Vm.Snapshot().Procs.Single(p => p.Owner == owner).Endpoint);
    }

    /// <summary>Runs <paramref name="roundTrips"/> round trips from the client and returns the vCPUs its handlers ran on.</summary>
    public static Task<IReadOnlySet<int>> RunAsync(IActorRef client, Endpoint server, int roundTrips)
    {
        var run = new RoundTrips(server, roundTrips);
        client.Tell(run, ActorRefs.NoSender);
        return run.Done.Task.WaitAsync(Patience);
    }

    /// <summary>Waits until no vCPU is running or has queued work.</summary>
    public Task AwaitIdle() => Until(() => Vcpus.Snapshot().All(s => !s.Busy && s.Queued == 0));

    /// <summary>Polls <paramref name="condition"/> with a deadline (a bounded wait for a state, never a sleep hoping for it).</summary>
    public static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached within " + Patience);
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Drvs.IsInitialised) await Drvs.EndAsync().WaitAsync(Patience);
    }
}
