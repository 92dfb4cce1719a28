using Akka.Actor;
using Akka.Configuration;
using M3Actors.Smp;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Rulebook §12.8: between handlers an actor endpoint is in its implicit receive, whatever Akka messages it handled.</summary>
public sealed class ActorIdleReceiveTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Theory(Timeout = 60_000)]
    [InlineData("throughput = 1")]
    [InlineData("Akka's default throughput")]
    [InlineData("vCPUs")]
    public async Task After_a_mailbox_run_full_of_Akka_messages_the_idle_actor_is_receiving(string dispatcher)
    {
        var vm = dispatcher switch
        {
            "throughput = 1" => ExtraVm(2, new VmOptions
            {
                Id = 2, Name = "tp1", ActorConfig = ConfigurationFactory.ParseString("akka.actor.default-dispatcher.throughput = 1"),
            }),
            "vCPUs" => ExtraVm(3, new VmOptions { Id = 3, Name = "vcpus", Vcpus = VcpuOptions.Of(2, SchedulingPolicy.Symmetric) }),
            _ => Vm,
        };
        var throughput = vm.Vcpus?.Throughput ?? vm.System.Dispatchers.DefaultGlobalDispatcher.Throughput;
        var actor = vm.ActorOf(Props.Create(() => new IdleActor(TestActor)), "idle");
        actor.Tell(new IdleActor.WhoAmI());
        var (endpoint, buffer) = ExpectMsg<(Endpoint, int)>(Patience);

        // One mailbox run of throughput + 1 Akka messages: held by the first handler until all are queued, the run
        // ends on the last one because the throughput is used up, not because the queue is empty.
        using var gate = new ManualResetEventSlim();
        actor.Tell(new IdleActor.Hold(gate));
        for (var i = 0; i < throughput; i++) actor.Tell(i);
        gate.Set();
        for (var i = 0; i < throughput; i++) ExpectMsg(i, Patience);
        await AwaitState(endpoint, "RECEIVING from ANY (idle)", vm);

        using var client = vm.Bind(owner: "client");
        Assert.Equal(IpcStatus.Ok, client.SendNb(endpoint, Msg(7)));
        Assert.Equal(7, ExpectMsg<IdleActor.Got>(Patience).Message.Type);

        await AwaitState(endpoint, "RECEIVING from ANY (idle)", vm);
        Assert.Equal(IpcStatus.Ok, client.Notify(endpoint));
        Assert.Equal(0, ProcOf(endpoint, vm)!.PendingNotifies);     // delivered at once, not left pending
        Assert.True(ExpectMsg<IdleActor.Got>(Patience).Message.IsNotify);

        await AwaitState(endpoint, "RECEIVING from ANY (idle)", vm);
        var source = client.RegisterBuffer(new byte[16], BufferAccess.Read);
        Assert.Equal(IpcStatus.Ok, client.VCopy(Endpoint.Self, new BufferAddress(source), endpoint, new BufferAddress(buffer), 16));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_actor_stays_receiving_from_the_source_it_chose_after_an_Akka_message()
    {
        using var chosen = Vm.Bind(owner: "chosen");
        using var other = Vm.Bind(owner: "other");
        var (actor, endpoint) = Script();
        Assert.Equal(IpcStatus.Ok, Do(actor, new ScriptActor.DoReceiveFrom(chosen.Endpoint)));
        await AwaitState(endpoint, $"RECEIVING from {chosen.Endpoint} (idle)");
        Assert.Equal(IpcStatus.NotReady, other.SendNb(endpoint, Msg(1)));
        Assert.Equal(IpcStatus.Ok, chosen.SendNb(endpoint, Msg(2)));
        Assert.Equal(2, ExpectMsg<ScriptActor.Got>(Patience).Message.Type);
        await AwaitState(endpoint, "RECEIVING from ANY (idle)");
    }

    /// <summary>Registers a writable buffer; holds its mailbox on request; echoes ints to the probe.</summary>
    private sealed class IdleActor(IActorRef probe) : EndpointActor
    {
        private int _buffer;

        public sealed record WhoAmI;
        public sealed record Hold(ManualResetEventSlim Gate);
        public sealed record Got(Message Message);

        protected override void PreStart()
        {
            base.PreStart();
            _buffer = RegisterBuffer(new byte[64], BufferAccess.Write);
        }

        protected override void OnMessage(in Message m) => probe.Tell(new Got(m));

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case WhoAmI: probe.Tell((Endpoint, _buffer)); break;
                case Hold hold: Assert.True(hold.Gate.Wait(Patience), "the test never released the held handler"); break;
                case int i: probe.Tell(i); break;
                default: Unhandled(message); break;
            }
        }
    }
}
