using M3Actors.Kernel;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>Each primitive between endpoints on two nodes of one VM, for thread and actor endpoints.</summary>
public sealed class RemoteCallTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    [Fact(Timeout = 90_000)]
    public async Task A_sendrec_to_a_thread_server_on_another_node_gets_its_reply()
    {
        await using var nodes = await BridgeNodes.StartAsync(2, output);
        using var server = nodes[1].Bind(slot: 5, owner: "echo");
        await nodes[2].WhenBoundAsync(5, Patience);                     // the ghost arrived
        var serving = Task.Factory.StartNew(() =>
        {
            var status = server.Receive(Endpoint.Any, out var request, Patience);
            return status != IpcStatus.Ok ? status : server.Reply(request.Source, new Message(request.Type + 1));
        }, TaskCreationOptions.LongRunning);

        using var client = nodes[2].Bind(owner: "client");
        var m = new Message(41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(5), ref m, Patience));
        Assert.Equal((42, Endpoint.System(5)), (m.Type, m.Source));
        Assert.Equal(IpcStatus.Ok, await serving.WaitAsync(Patience));
        var ghost = nodes[1].Snapshot().Procs.Single(p => p.Endpoint == client.Endpoint);
        Assert.Equal((OwnerKind.Remote, (int?)2), (ghost.Kind, ghost.Node));
        output.WriteLine(ProcView.Render(nodes[1].Snapshot()));
    }
}
