using System.Text;
using Akka.Actor;
using M3Actors.Examples.Demo;
using M3Actors.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace M3Actors.Examples.Hosting;

/// <summary>
/// <c>hosting</c>: M3Actors on the .NET generic host. The DRVS and VM 1 come from configuration (the JSON below, as an
/// appsettings.json would hold it, overridable from the command line, e.g. <c>--M3Actors:Vms:0:Name=other</c>), the
/// echo server is registered in code, and a hosted client does one sendrec and stops the host, which ends the VM.
/// </summary>
public static class HostingCommand
{
    /// <summary>What an appsettings.json would hold: HOCON for the DRVS, one VM with HOCON of its own.</summary>
    public const string AppSettings = """
        {
          "Logging": { "LogLevel": { "Default": "Warning" } },
          "M3Actors": {
            "Hocon": "m3actors.drvs { node-id = 0, max-vms = 8 }",
            "Vms": [
              { "Id": 1, "Name": "minix", "Hocon": "m3actors.vcpus { vcpus = 2, policy = affinity-static }" }
            ]
          }
        }
        """;

    /// <summary>The VM the example's server and client live in (the first configured VM).</summary>
    public const int VmId = 1;

    /// <summary>Runs the host until the client has its reply; 0 when the reply was right and the VM ended.</summary>
    public static async Task<int> RunAsync(TextWriter output, string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        // First source, so appsettings.json, environment variables and the command line all override it.
        builder.Configuration.Sources.Insert(0, new JsonStreamConfigurationSource
        {
            Stream = new MemoryStream(Encoding.UTF8.GetBytes(AppSettings)),
        });
        builder.Services.AddM3Actors(builder.Configuration.GetSection(M3ActorsOptions.Section), m3 => m3
            .WithEndpoints(VmId, (vm, _) => vm.ActorOf(Props.Create(() => new EchoServer()), "echo")));
        var outcome = new EchoClient.Outcome();
        builder.Services.AddSingleton(output).AddSingleton(outcome);
        builder.Services.AddHostedService<EchoClient>();

        using var host = builder.Build();
        var drvs = host.Services.GetRequiredService<Drvs>();
        await host.RunAsync();            // until the client stops the application (or Ctrl+C)

        var vm = outcome.Vm;
        var ended = !drvs.IsInitialised && vm is { IsRunning: false };
        output.WriteLine(
            $"host stopped: DRVS ended {!drvs.IsInitialised}, VM {vm?.Id} '{vm?.Name}' running {vm?.IsRunning}");
        return outcome.Succeeded && ended ? 0 : 1;
    }
}
