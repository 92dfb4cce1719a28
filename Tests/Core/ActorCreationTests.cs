using Akka.Actor;
using Akka.Event;
using M3Actors.Smp;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Creating endpoint actors: the mistakes a new user makes get clear, typed errors where they made them.</summary>
public sealed class ActorCreationTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 30_000)]
    public async Task ActorOf_returns_once_the_endpoint_is_bound()
    {
        await OffTestThread(() => Vm.ActorOf(Props.Create(() => new EchoServer(5)), "echo"));
        Assert.Equal("/user/echo", ProcOf(Endpoint.System(5))?.Owner);      // no wait needed
    }

    [Fact(Timeout = 30_000)]
    public async Task A_second_endpoint_actor_on_a_bound_slot_throws_SlotUsed_from_ActorOf()
    {
        await OffTestThread(() => Vm.ActorOf(Props.Create(() => new EchoServer(5)), "first"));
        var failure = await Assert.ThrowsAsync<IpcException>(
            () => OffTestThread(() => Vm.ActorOf(Props.Create(() => new EchoServer(5)), "second")));
        Assert.Equal(IpcStatus.SlotUsed, failure.Status);
        Assert.Contains("/user/first", failure.Message);
        Assert.Equal("/user/first", ProcOf(Endpoint.System(5))!.Owner);
        using var client = Vm.Bind();
        var m = new Message(41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(5), ref m, Patience));
        Assert.Equal(42, m.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_PreStart_override_that_forgets_the_base_call_fails_ActorOf_clearly()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => OffTestThread(() => Vm.ActorOf(Props.Create(() => new ForgetfulServer()), "forgetful")));
        Assert.Contains("without calling base.PreStart()", failure.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Inside_an_actor_ActorOf_throws_SlotUsed_too()
    {
        await OffTestThread(() => Vm.ActorOf(Props.Create(() => new EchoServer(5)), "first"));
        var creator = Vm.ActorOf(Props.Create(() => new Creator(Vm)), "creator");
        creator.Tell(5, TestActor);
        Assert.Equal(IpcStatus.SlotUsed, (await ExpectMsgAsync<IpcException>(Patience)).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task On_a_vCPU_ActorOf_does_not_wait_and_a_slot_conflict_fails_the_new_actor_start()
    {
        var vm = ExtraVm(2, new VmOptions { Id = 2, Name = "vcpus", Vcpus = VcpuOptions.Of(1, SchedulingPolicy.Symmetric) });
        await OffTestThread(() => vm.ActorOf(Props.Create(() => new EchoServer(5)), "first"));
        var errors = CreateTestProbe(vm.System);
        vm.System.EventStream.Subscribe(errors.Ref, typeof(Error));
        var creator = vm.ActorOf(Props.Create(() => new Creator(vm)), "creator");
        creator.Tell(5, TestActor);
        Assert.Equal("created", await ExpectMsgAsync<string>(Patience));
        var error = await errors.FishForMessageAsync<Error>(e => e.Cause is ActorInitializationException, Patience);
        var bind = Assert.IsType<IpcException>(error.Cause.InnerException);
        Assert.Equal(IpcStatus.SlotUsed, bind.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_endpoint_actor_in_a_plain_ActorSystem_fails_saying_to_create_it_inside_a_VM()
    {
        var plain = ActorSystem.Create("plain");
        try
        {
            var probe = CreateTestProbe(plain);
            plain.EventStream.Subscribe(probe.Ref, typeof(Error));
            plain.ActorOf(Props.Create(() => new EchoServer(5)), "misplaced");
            var error = probe.FishForMessage<Error>(e => e.Cause is ActorInitializationException, Patience);
            Assert.Contains("create endpoint actors inside a VM (vm.ActorOf)", error.Cause.InnerException!.ToString());
        }
        finally
        {
            await plain.Terminate().WaitAsync(Patience);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ActorOf_after_the_VM_ended_throws_VmNotRunning()
    {
        var vm = ExtraVm(2);
        await vm.EndAsync().WaitAsync(Patience);
        var endpointActor = Assert.Throws<IpcException>(() => vm.ActorOf(Props.Create(() => new EchoServer(5))));
        var plainActor = Assert.Throws<IpcException>(() => vm.ActorOf(Props.Create(() => new Creator(vm))));
        Assert.Equal((IpcStatus.VmNotRunning, IpcStatus.VmNotRunning), (endpointActor.Status, plainActor.Status));
    }

    [Fact]      // no timeout: nothing here can block
    public void Null_arguments_are_argument_errors()
    {
        Assert.Equal("props", Assert.Throws<ArgumentNullException>(() => Vm.ActorOf(null!)).ParamName);
        Assert.Equal("props", Assert.Throws<ArgumentNullException>(() => Vm.ActorOf(null!, "x", VcpuRole.Client)).ParamName);
        var echo = Props.Create(() => new EchoServer(5));
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => Vm.ActorOf(echo, null!, VcpuRole.Client)).ParamName);
    }

    // ActorOf waits for the actor's bind: off the test thread, so the test's timeout still holds if it never returns.
    private static Task<IActorRef> OffTestThread(Func<IActorRef> create) => Task.Run(create).WaitAsync(Patience);

    /// <summary>Overrides PreStart and forgets to call the base, which binds the endpoint.</summary>
    private sealed class ForgetfulServer() : EndpointActor(6)
    {
        protected override void PreStart()
        {
        }

        protected override void OnMessage(in Message m)
        {
        }
    }

    /// <summary>Creates an echo server on the slot it is told, from inside its handler; reports how it went.</summary>
    private sealed class Creator : ReceiveActor
    {
        public Creator(Vm vm) => Receive<int>(slot =>
        {
            try
            {
                vm.ActorOf(Props.Create(() => new EchoServer(slot)), "second");
                Sender.Tell("created");
            }
            catch (IpcException e)
            {
                Sender.Tell(e);
            }
        });
    }
}
