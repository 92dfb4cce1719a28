using Akka.Actor;
using M3Actors.Smp;
using Xunit;

namespace M3Actors.Tests.Smp;

public sealed class AsymmetricTests() : SmpTestKit($$"""
    fos {
      type = {{Type}}
      vcpus = 3
      policy = asymmetric
      reserved-vcpus = 1
      placement { "/user/server" { role = server } }
    }
    """)
{
    [Fact]
    public void Servers_get_the_reserved_vcpu_and_clients_stay_off_it()
    {
        const int perActor = 20;
        var dispatcher = Dispatcher("fos");
        dispatcher.Place("/user/pinned-client", VcpuRole.Client, 2);
        var server = Sys.ActorOf(Props.Create<WhereActor>().WithDispatcher("fos"), "server");
        var clients = Enumerable.Range(0, 5)
            .Select(i => Sys.ActorOf(Props.Create<WhereActor>().WithDispatcher("fos"), $"client-{i}"))
            .Append(Sys.ActorOf(Props.Create<WhereActor>().WithDispatcher("fos"), "pinned-client"))
            .ToArray();
        var before = dispatcher.Snapshot();

        var serverRuns = Enumerable.Range(0, perActor).Select(_ => Where(server).Vcpu).ToArray();
        var clientRuns = clients.SelectMany(c => Enumerable.Range(0, perActor).Select(_ => Where(c).Vcpu)).ToArray();

        var after = dispatcher.Snapshot();
        Assert.Equal(1, dispatcher.ReservedVcpus);
        Assert.All(serverRuns, v => Assert.Equal(0, v));
        Assert.All(clientRuns, v => Assert.InRange(v!.Value, 1, 2));
        Assert.Equal(2, dispatcher.VcpuOf(clients[^1]));
        Assert.Equal(perActor, after[0].Since(before[0]).Messages);
        Assert.Equal(clients.Length * perActor, after[1].Since(before[1]).Messages + after[2].Since(before[2]).Messages);
    }
}
