using Akka.Actor;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// Round trips in every direction at once between three processes of one VM — threads here calling thread and actor
/// servers in two children while threads in the children call servers here — so sections on shared lock words,
/// foreign queues and both kinds of cross-process wakeups interleave: every reply must be the caller's own.
/// </summary>
public sealed class SharedVmLoadTests : SharedVmTest
{
    private const int Calls = 2000;

    [Fact(Timeout = 120_000)]
    public async Task Calls_in_every_direction_at_once_each_get_their_own_reply()
    {
        var first = await Shared.ChildAsync();
        var second = await Shared.ChildAsync();
        var servers = new List<Endpoint>
        {
            SharedVm.EndpointIn(await first.ExpectAsync("vm server thread 3", "vm serving")),
            SharedVm.EndpointIn(await first.ExpectAsync("vm server actor 4", "vm serving")),
            SharedVm.EndpointIn(await second.ExpectAsync("vm server thread 5", "vm serving")),
            SharedVm.EndpointIn(await second.ExpectAsync("vm server actor 6", "vm serving")),
        };
        using var threadServer = Shared.Vm.Bind(7, "thread server here");
        var serving = Task.Factory.StartNew(() =>
        {
            while (threadServer.Receive(Endpoint.Any, out var m, SharedVm.Patience) == IpcStatus.Ok)
                threadServer.Reply(m.Source, Echo(m.GetInt(0) + 1));
        }, TaskCreationOptions.LongRunning);
        Shared.Vm.ActorOf(Props.Create(() => new EchoActor(8)));

        // Children's clients call the servers here, this process's clients call the children's, all at once.
        first.Send($"vm load 20 {Endpoint.System(7).Value} {Calls}");
        second.Send($"vm load 21 {Endpoint.System(8).Value} {Calls}");
        var clients = servers.Select(server => Task.Factory.StartNew(() =>
        {
            using var client = Shared.Vm.Bind(owner: $"client of {server}");
            for (var i = 0; i < Calls; i++)
            {
                var m = Echo(i);
                var status = client.SendRec(server, ref m, SharedVm.Patience);
                if (status != IpcStatus.Ok || m.GetInt(0) != i + 1) return $"{status} at {i}: {m.GetInt(0)}";
            }
            return "Ok";
        }, TaskCreationOptions.LongRunning)).ToList();

        Assert.All(await Task.WhenAll(clients).WaitAsync(SharedVm.Patience * 3), r => Assert.Equal("Ok", r));
        Assert.Equal($"vm load Ok {Calls}", await first.NextReplyAsync());
        Assert.Equal($"vm load Ok {Calls}", await second.NextReplyAsync());
        threadServer.Dispose();
        await serving.WaitAsync(SharedVm.Patience);
    }

    private static Message Echo(int value)
    {
        var m = new Message(1);
        m.SetInt(0, value);
        return m;
    }

    /// <summary>Answers every request with its int plus one.</summary>
    private sealed class EchoActor(int slot) : EndpointActor(slot)
    {
        protected override void OnMessage(in Message m) => Reply(m.Source, Echo(m.GetInt(0) + 1));
    }
}
