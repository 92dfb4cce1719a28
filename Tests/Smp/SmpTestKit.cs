using Akka.Actor;
using M3Actors.Smp;

namespace M3Actors.Tests.Smp;

/// <summary>Shared HOCON and helpers for the vCPU dispatcher tests.</summary>
public abstract class SmpTestKit(string config) : Akka.TestKit.Xunit2.TestKit(config)
{
    protected const string Type = "\"M3Actors.Smp.VcpuDispatcherConfigurator, M3Actors.Core\"";

    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected VcpuDispatcher Dispatcher(string id) => VcpuDispatcher.Lookup(Sys, id);

    /// <summary>Waits until no vCPU is running or has queued work, so the next message finds every mailbox idle.</summary>
    protected void AwaitIdle(VcpuDispatcher dispatcher) =>
        AwaitCondition(() => dispatcher.Snapshot().All(s => !s.Busy && s.Queued == 0), Patience);

    protected Here Where(IActorRef actor)
    {
        actor.Tell(new WhereAmI(), TestActor);
        return ExpectMsg<Here>(Patience);
    }

}
