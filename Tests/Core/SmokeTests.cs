using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

public sealed class SmokeTests(ITestOutputHelper output) : VmTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task Thread_client_sendrec_to_actor_server()
    {
        Vm.ActorOf(Props.Create(() => new EchoServer(3)), "echo");
        using var client = Vm.Bind();
        await AwaitAssertAsync(() => Assert.Contains(Vm.Snapshot().Procs, p => p.Slot == 3), Patience);
        var m = new Message(41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(3), ref m, Patience));
        Assert.Equal(42, m.Type);
        Assert.Equal(Endpoint.System(3), m.Source);
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_client_sendrec_to_actor_server()
    {
        Vm.ActorOf(Props.Create(() => new EchoServer(3)), "echo");
        var client = Vm.ActorOf(Props.Create(() => new SendRecClient()), "client");
        await AwaitAssertAsync(() => Assert.Equal(2, Vm.Snapshot().Procs.Count), Patience);
        client.Tell(new SendRecClient.Go(Endpoint.System(3), 7), TestActor);
        var outcome = ExpectMsg<SendRecClient.Outcome>(Patience);
        Assert.Equal(new SendRecClient.Outcome(IpcStatus.Ok, 8, Endpoint.System(3)), outcome);
    }

    [Fact(Timeout = 20_000)]
    public async Task Thread_server_and_async_client()
    {
        using var server = Vm.Bind(2);
        using var client = Vm.Bind();
        var serving = Task.Run(() =>
        {
            Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out var request, Patience));
            request.Type *= 10;
            return server.Send(request.Source, in request, Patience);
        });
        var result = await client.SendRecAsync(Endpoint.System(2), new Message(5)).AsTask().WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, result.Status);
        Assert.Equal(50, result.Message.Type);
        Assert.Equal(IpcStatus.Ok, await serving.WaitAsync(Patience));
    }
}
