using Xunit;

namespace M3Actors.TestKit;

// Waits and assertions on the /proc view: the consistent snapshot is how a test sees that a partner is blocked
// without sleeping.
public abstract partial class VmTestKit
{
    /// <summary>The /proc entry of <paramref name="e"/> in <paramref name="vm"/> (the test's VM by default), or null.</summary>
    protected ProcSnapshot? ProcOf(Endpoint e, Vm? vm = null) =>
        (vm ?? Vm).Snapshot().Procs.SingleOrDefault(p => p.Endpoint == e);

    /// <summary>Waits until <paramref name="e"/>'s /proc state starts with <paramref name="state"/> (e.g. "RECEIVING").</summary>
    protected Task AwaitState(Endpoint e, string state, Vm? vm = null) =>
        AwaitAssertAsync(() =>
        {
            var p = ProcOf(e, vm);
            Assert.NotNull(p);
            Assert.StartsWith(state, p.State);
        }, Patience);

    /// <summary>Waits until <paramref name="dst"/>'s queue of blocked senders is exactly <paramref name="senders"/>.</summary>
    protected Task AwaitQueue(Endpoint dst, params Endpoint[] senders) => AwaitQueueIn(Vm, dst, senders);

    /// <summary>As <see cref="AwaitQueue"/>, in <paramref name="vm"/>.</summary>
    protected Task AwaitQueueIn(Vm vm, Endpoint dst, params Endpoint[] senders) =>
        AwaitAssertAsync(() => Assert.Equal(senders, ProcOf(dst, vm)!.QueuedSenders), Patience);

    /// <summary>Waits until <paramref name="e"/> is bound (an actor binds in PreStart).</summary>
    protected Task AwaitBound(Endpoint e, Vm? vm = null) =>
        AwaitAssertAsync(() => Assert.NotNull(ProcOf(e, vm)), Patience);

    /// <summary>Asserts <paramref name="e"/> left no trace: not blocked, nobody queued on it, not in anybody's queue.</summary>
    protected void AssertNoTrace(Endpoint e, Vm? vm = null)
    {
        var snapshot = (vm ?? Vm).Snapshot();
        var p = snapshot.Procs.Single(x => x.Endpoint == e);
        Assert.Equal(Endpoint.None, p.SendTo);
        Assert.Equal(Endpoint.None, p.GetFrom);
        Assert.DoesNotContain("SENDING", p.State);
        Assert.DoesNotContain("RECEIVING", p.State);
        Assert.DoesNotContain("SENDREC", p.State);
        Assert.All(snapshot.Procs, other => Assert.DoesNotContain(e, other.QueuedSenders));
    }
}
