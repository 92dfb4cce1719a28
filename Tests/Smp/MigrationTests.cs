using Akka.Actor;
using Xunit;

namespace M3Actors.Tests.Smp;

public sealed class MigrationTests() : SmpTestKit($$"""
    dynamic {
      type = {{Type}}
      vcpus = 2
      policy = affinity-dynamic
      placement {
        "/user/worker" { vcpu = 0 }
        "/user/blocker" { vcpu = 0 }
      }
    }
    static {
      type = {{Type}}
      vcpus = 2
      policy = affinity-static
      placement {
        "/user/worker" { vcpu = 0 }
        "/user/blocker" { vcpu = 0 }
      }
    }
    """)
{
    [Fact]
    public void Affinity_dynamic_moves_work_off_a_vcpu_held_by_a_long_handler()
    {
        using var gate = new ManualResetEventSlim();
        var (dispatcher, worker, blocker) = Setup("dynamic", gate);
        var before = dispatcher.Snapshot();

        blocker.Tell("block", TestActor);
        ExpectMsg("blocked", Patience);
        // vCPU 0 is stuck in the blocker's handler: the worker only answers if vCPU 1 steals its run.
        var here = Where(worker);
        gate.Set();
        ExpectMsg("released", Patience);

        var after = dispatcher.Snapshot();
        Assert.Equal(1, here.Vcpu);
        Assert.Equal(1, dispatcher.VcpuOf(worker));
        Assert.Equal(0, dispatcher.VcpuOf(blocker));
        Assert.Equal((1L, 1L), (after[1].Since(before[1]).Steals, after[1].Since(before[1]).Migrations));
        Assert.Equal((0L, 0L), (after[0].Since(before[0]).Steals, after[0].Since(before[0]).Migrations));
    }

    [Fact]
    public void Affinity_static_keeps_the_work_queued_behind_the_long_handler()
    {
        using var gate = new ManualResetEventSlim();
        var (dispatcher, worker, blocker) = Setup("static", gate);
        var before = dispatcher.Snapshot();

        blocker.Tell("block", TestActor);
        ExpectMsg("blocked", Patience);
        worker.Tell(new WhereAmI(), TestActor);
        gate.Set();

        // vCPU 0 runs one thing at a time: the blocker finishes before the worker's queued run starts.
        ExpectMsg("released", Patience);
        Assert.Equal(0, ExpectMsg<Here>(Patience).Vcpu);
        var after = dispatcher.Snapshot();
        Assert.Equal(0, dispatcher.VcpuOf(worker));
        Assert.All(after.Zip(before), p => Assert.Equal((0L, 0L), (p.First.Since(p.Second).Steals, p.First.Since(p.Second).Migrations)));
    }

    private (M3Actors.Smp.VcpuDispatcher, IActorRef Worker, IActorRef Blocker) Setup(string id, ManualResetEventSlim gate)
    {
        var dispatcher = Dispatcher(id);
        // One actor at a time, each started while vCPU 0 is idle, so neither can be stolen during start-up.
        var worker = Sys.ActorOf(Props.Create<WhereActor>().WithDispatcher(id), "worker");
        Assert.Equal(0, Where(worker).Vcpu);
        AwaitIdle(dispatcher);
        var blocker = Sys.ActorOf(Props.Create(() => new Blocker(gate, Patience)).WithDispatcher(id), "blocker");
        Assert.Equal(0, Where(blocker).Vcpu);
        AwaitIdle(dispatcher);
        return (dispatcher, worker, blocker);
    }
}
