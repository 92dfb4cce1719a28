using Microsoft.Extensions.Hosting;

namespace M3Actors.Examples.Hosting;

/// <summary>
/// A hosted client: once the host has started the VMs, it waits for the echo server, does one sendrec from a task
/// endpoint and stops the application — stopping the host is what ends the DRVS and its VMs.
/// </summary>
public sealed class EchoClient(Drvs drvs, IHostApplicationLifetime lifetime, TextWriter output, EchoClient.Outcome outcome)
    : BackgroundService
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>What the client saw, for the command to check after the host stopped.</summary>
    public sealed class Outcome
    {
        /// <summary>True once the reply arrived and was right.</summary>
        public bool Succeeded { get; set; }

        /// <summary>The VM the client used.</summary>
        public Vm? Vm { get; set; }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var vm = outcome.Vm = drvs.GetVm(HostingCommand.VmId);
            var vcpus = vm.Vcpus?.Snapshot().Count ?? 0;
            output.WriteLine($"host started: node {drvs.NodeId}, VM {vm.Id} '{vm.Name}' on {vcpus} vCPUs");
            var server = await vm.WhenBoundAsync(5, Patience).WaitAsync(stoppingToken);
            using var client = vm.Bind(owner: "hosted client");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            deadline.CancelAfter(Patience);
            var result = await client.SendRecAsync(server, new Message(41), deadline.Token);
            output.WriteLine($"{result.Status}: reply {result.Message.Type} from {result.Message.Source}");
            outcome.Succeeded = result.Status == IpcStatus.Ok && result.Message.Type == 42;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
