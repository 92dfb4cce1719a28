using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace M3Actors.Hosting;

/// <summary>
/// Ties the DRVS to the host's lifetime: starts the configured VMs, then the endpoints, when the host starts; ends
/// the DRVS (every VM, releasing blocked calls with VmNotRunning) when it stops. A VM whose ActorSystem ends behind
/// M3Actors' back (Akka's CoordinatedShutdown, <c>ActorSystem.Terminate</c>) is ended too and stops the host, as
/// Akka.Hosting does for its ActorSystem.
/// </summary>
internal sealed class M3ActorsHostedService(
    Drvs drvs,
    HostingPlan plan,
    IOptions<M3ActorsOptions> options,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<M3ActorsHostedService> logger) : IHostedService
{
    private volatile bool _stopping;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var configured = options.Value.Vms.Select((vm, i) => vm.ToVmOptions($"{M3ActorsOptions.Section}:Vms:{i}"));
            foreach (var vmOptions in configured.Concat(plan.Vms))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Watch(drvs.StartVm(vmOptions));
            }
            foreach (var (vmId, start) in plan.Endpoints) start(drvs.GetVm(vmId), services);
        }
        catch (Exception)
        {
            // A failed start is not always followed by a stop: end what did start, so no ActorSystem outlives the host.
            _stopping = true;
            if (drvs.IsInitialised) await drvs.EndAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (drvs.IsInitialised) await drvs.EndAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Watch(Vm vm)
    {
        logger.LogInformation("M3Actors: node {Node} started VM {Id} '{Name}'", drvs.NodeId, vm.Id, vm.Name);
        _ = vm.System.WhenTerminated.ContinueWith(_ => OnSystemTerminated(vm), TaskScheduler.Default).Unwrap();
    }

    // Vm.EndAsync stops the kernel before it terminates the ActorSystem, so a VM still running here was ended by
    // someone else: end it properly (its blocked calls get VmNotRunning) and take the host down with it.
    private async Task OnSystemTerminated(Vm vm)
    {
        if (_stopping || !vm.IsRunning) return;
        logger.LogWarning("M3Actors: the ActorSystem of VM {Id} '{Name}' ended outside the host; stopping the host",
            vm.Id, vm.Name);
        try
        {
            await vm.EndAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "M3Actors: ending VM {Id} '{Name}' after its ActorSystem ended failed", vm.Id, vm.Name);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
