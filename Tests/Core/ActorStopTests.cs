using Akka.Actor;
using Akka.Event;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// An actor blocked in a call can be stopped every way Akka offers, as a Minix process blocked in sendrec can be
/// killed: its call ends unseen, its endpoint is unbound, and its server sees it gone.
/// </summary>
public sealed class ActorStopTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 30_000)]
    public async Task PoisonPill_stops_an_actor_blocked_in_sendrec()
    {
        using var server = Vm.Bind(owner: "server");
        var (actor, endpoint) = await BlockedInSendRec(server);
        actor.Tell(PoisonPill.Instance);
        await AssertGone(actor, endpoint, server);
    }

    [Fact(Timeout = 30_000)]
    public async Task Kill_stops_an_actor_blocked_in_sendrec()
    {
        using var server = Vm.Bind(owner: "server");
        var (actor, endpoint) = await BlockedInSendRec(server);
        actor.Tell(Kill.Instance);
        await AssertGone(actor, endpoint, server);
    }

    [Fact(Timeout = 30_000)]
    public async Task GracefulStop_stops_an_actor_blocked_in_sendrec()
    {
        using var server = Vm.Bind(owner: "server");
        var (actor, endpoint) = await BlockedInSendRec(server);
        Assert.True(await actor.GracefulStop(Patience));
        await AssertGone(actor, endpoint, server);
    }

    [Fact(Timeout = 30_000)]
    public async Task PoisonPill_overtakes_the_held_Akka_messages_which_become_dead_letters()
    {
        using var server = Vm.Bind(owner: "server");
        var (actor, endpoint) = await BlockedInSendRec(server);
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        actor.Tell("held while blocked");
        actor.Tell(PoisonPill.Instance);
        var dead = FishForMessage<DeadLetter>(d => d.Message is string, Patience);
        Assert.Equal("held while blocked", dead.Message);
        await AssertGone(actor, endpoint, server);
    }

    [Fact(Timeout = 30_000)]
    public async Task PoisonPill_keeps_its_place_behind_Akka_messages_when_the_actor_is_not_blocked()
    {
        var (actor, _) = Script(echo: true);
        Watch(actor);
        actor.Tell(new ScriptActor.WhoAmI(), TestActor);
        actor.Tell(PoisonPill.Instance);
        await ExpectMsgAsync<Endpoint>(Patience);
        await ExpectTerminatedAsync(actor, Patience);
    }

    [Fact(Timeout = 30_000)]
    public async Task CoordinatedShutdown_of_a_VM_does_not_hang_on_a_blocked_endpoint_actor()
    {
        var vm = ExtraVm(2);
        using var server = vm.Bind(owner: "server");
        var (_, endpoint) = await BlockedInSendRec(server, vm);
        await CoordinatedShutdown.Get(vm.System).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(Patience);
        await vm.System.WhenTerminated.WaitAsync(Patience);
        Assert.Null(ProcOf(endpoint, vm));       // the actor stopped, so its endpoint was unbound
        Assert.Equal(IpcStatus.DeadSrcDst, server.Reply(endpoint, Msg(2)));
    }

    // An actor whose sendrec the server took but has not answered: blocked waiting for the reply.
    private async Task<(IActorRef Actor, Endpoint Endpoint)> BlockedInSendRec(EndpointHandle server, Vm? vm = null)
    {
        var (actor, endpoint) = Script(vm: vm);
        Assert.Equal(IpcStatus.Suspended, Do(actor, new ScriptActor.DoSendRec(server.Endpoint, Msg(1))));
        Assert.Equal(IpcStatus.Ok, (await ReceiveOnThread(server, endpoint, Patience)).Status);
        await AwaitState(endpoint, $"SENDREC waiting for {server.Endpoint}", vm);
        return (actor, endpoint);
    }

    private async Task AssertGone(IActorRef actor, Endpoint endpoint, EndpointHandle server)
    {
        Watch(actor);
        ExpectTerminated(actor, Patience);
        await AwaitAssertAsync(() => Assert.Null(ProcOf(endpoint)), Patience);
        Assert.Equal(IpcStatus.DeadSrcDst, server.Reply(endpoint, Msg(2)));
    }
}
