using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// The end of a deadlock probe (<c>IpcKernel.RefuseBlocked</c>) refuses only the receive it was sent for: a probe
/// that comes back after an actor's idle receive was satisfied, or that names a receive from ANY, changes nothing.
/// Driven in one process, so each probe's return is placed exactly where the race would put it.
/// </summary>
public sealed class ProbeRefusalTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task A_probe_for_an_actors_earlier_receive_refuses_nothing_and_one_for_its_receive_now_is_Locked()
    {
        using var source = Vm.Bind();
        var (actor, ep) = Script();
        Assert.Equal(IpcStatus.Ok, Do(actor, new ScriptActor.DoReceiveFrom(source.Endpoint)));
        await AwaitState(ep, $"RECEIVING from {source.Endpoint} (idle)");
        var earlier = SequenceOf(ep);
        Assert.Equal(IpcStatus.Ok, source.Send(ep, Msg(1), Patience));        // that receive is satisfied
        Assert.Equal(1, ExpectMsg<ScriptActor.Got>(Patience).Message.Type);

        await AwaitState(ep, $"RECEIVING from {Endpoint.Any} (idle)");
        Assert.Null(Vm.Kernel.RefuseBlocked(ep, SequenceOf(ep)));              // a receive from ANY waits for no one
        Assert.Equal(IpcStatus.Ok, Do(actor, new ScriptActor.DoReceiveFrom(source.Endpoint)));
        await AwaitState(ep, $"RECEIVING from {source.Endpoint} (idle)");
        Assert.Null(Vm.Kernel.RefuseBlocked(ep, earlier));                     // the earlier receive's probe is late
        Assert.Equal(IpcStatus.Ok, source.Send(ep, Msg(2), Patience));        // still receiving from source
        Assert.Equal(2, ExpectMsg<ScriptActor.Got>(Patience).Message.Type);

        Assert.Equal(IpcStatus.Ok, Do(actor, new ScriptActor.DoReceiveFrom(source.Endpoint)));
        await AwaitState(ep, $"RECEIVING from {source.Endpoint} (idle)");
        Assert.Null(Vm.Kernel.RefuseBlocked(ep, SequenceOf(ep)));              // not to a ghost: nothing to withdraw
        Assert.Equal(IpcStatus.Locked, ExpectMsg<ScriptActor.ReceiveError>(Patience).Status);
        Assert.Equal(1, Vm.Kernel.LockedRefusals);
    }

    private long SequenceOf(Endpoint ep) => Vm.Kernel.ProcAt(ep.Slot)!.CallSeq;
}
