using Akka.Actor;
using M3Actors.Examples.Minix;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Tests.Examples;

/// <summary>RS alone: it keeps a probe service alive; a probe endpoint is the service's dependant.</summary>
public sealed class RsServerTests(ITestOutputHelper output) : MinixTestKit(output)
{
    private const int ServiceSlot = 10;
    private const int DependantSlot = 11;
    private readonly RsJournal _journal = new();
    private IActorRef _rs = ActorRefs.Nobody;

    /// <summary>A service that answers Type + 1 and crashes on its next request when told to.</summary>
    private sealed class EchoService() : EndpointActor(ServiceSlot)
    {
        private bool _crash;

        protected override void OnMessage(in Message m)
        {
            if (_crash) throw new InjectedCrashException("echo crashed");
            Reply(m.Source, new Message(m.Type + 1));
        }

        protected override void OnCommand(object message)
        {
            if (message is not CrashOnNextRequest)
            {
                Unhandled(message);
                return;
            }
            _crash = true;
            Sender.Tell(new CrashArmed(Endpoint));
        }
    }

    private async Task<(EndpointHandle Client, EndpointHandle Dependant)> StartRsAsync()
    {
        var echo = new Service("echo", ServiceSlot, () => Props.Create(() => new EchoService()), [DependantSlot]);
        var services = new[] { echo };
        _rs = Vm.ActorOf(Props.Create(() => new RsServer(services, _journal)), "rs");
        await Vm.WhenBoundAsync(RsSlot, Patience);
        await Vm.WhenBoundAsync(ServiceSlot, Patience);
        return (Vm.Bind(owner: "client"), Vm.Bind(DependantSlot, "dependant"));
    }

    private async Task CrashAsync(EndpointHandle client)
    {
        _rs.Tell(new RsServer.ToService(ServiceSlot, new CrashOnNextRequest()), TestActor);
        ExpectMsg<CrashArmed>(Patience);
        var (status, _) = await SendRecOnThread(client, Endpoint.System(ServiceSlot), new Message(1), Patience);
        Assert.Equal(IpcStatus.SrcDied, status);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_crashed_service_is_restarted_on_the_same_endpoint_and_its_dependants_are_notified()
    {
        var (client, dependant) = await StartRsAsync();
        var before = ProcOf(Endpoint.System(ServiceSlot))!.Owner;

        await CrashAsync(client);
        await _journal.WhenRestartedAsync(1, Patience);

        var (status, notice) = await ReceiveOnThread(dependant, Endpoint.Any, Patience);
        Assert.Equal((IpcStatus.Ok, true, Rs), (status, notice.IsNotify, notice.Source));
        var reply = await SendRecOnThread(client, Endpoint.System(ServiceSlot), new Message(41), Patience);
        Assert.Equal((IpcStatus.Ok, 42), (reply.Status, reply.Message.Type));
        Assert.Equal(Endpoint.System(ServiceSlot), reply.Message.Source);
        Assert.NotEqual(before, ProcOf(Endpoint.System(ServiceSlot))!.Owner);    // a fresh incarnation: echo-2
        var restart = Assert.Single(_journal.Restarts);
        Assert.Equal("echo", restart.Service);
        Assert.Contains("echo crashed", restart.Reason);
        Assert.Empty(_journal.Failures);
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_crash_is_healed_one_after_the_other()
    {
        var (client, _) = await StartRsAsync();
        for (var k = 1; k <= 3; k++)
        {
            await CrashAsync(client);
            await _journal.WhenRestartedAsync(k, Patience);
        }
        Assert.Equal(3, _journal.Restarts.Count);
        Assert.EndsWith("echo-4", ProcOf(Endpoint.System(ServiceSlot))!.Owner);
        Assert.Empty(_journal.Failures);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_service_that_stops_without_crashing_is_restarted_too()
    {
        await StartRsAsync();
        _rs.Tell(new RsServer.ToService(ServiceSlot, PoisonPill.Instance));
        await _journal.WhenRestartedAsync(1, Patience);
        Assert.Equal("stopped", Assert.Single(_journal.Restarts).Reason);
        await AwaitBound(Endpoint.System(ServiceSlot));
    }

    [Fact(Timeout = 20_000)]
    public async Task RS_takes_no_requests()
    {
        var (client, _) = await StartRsAsync();
        var (status, reply) = await SendRecOnThread(client, Rs, new Message(1), Patience);
        Assert.Equal((IpcStatus.Ok, NoSys), (status, reply.Type));
    }
}
