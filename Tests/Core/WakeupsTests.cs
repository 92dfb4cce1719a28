using M3Actors.Kernel;
using Xunit;

namespace M3Actors.Tests.Core;

/// <summary>The kernel wakes every owner after its locks are released, even when one owner's port throws.</summary>
public sealed class WakeupsTests
{
    private sealed class Port(bool throws) : IEndpointPort
    {
        internal int Calls;

        public void Completed() => Called();

        public void Pending() => Called();

        private void Called()
        {
            Calls++;
            if (throws) throw new InvalidOperationException("this port fails on purpose");
        }
    }

    // Every proc is bound in a kernel of its own test: Wakeups only reaches the ports.
    private readonly IpcKernel _kernel = new(0, 8, _ => Privileges.Full, 1024);

    private Proc ProcWith(Port port, int slot) => _kernel.Bind(slot, port, OwnerKind.Thread, $"owner {slot}");

    [Fact]
    public void Every_owner_is_woken_and_the_failures_come_back_together()
    {
        var ports = new[] { new Port(true), new Port(false), new Port(true), new Port(false) };
        var wake = new Wakeups();
        wake.Completed(ProcWith(ports[0], 0));
        wake.Pending(ProcWith(ports[1], 1));
        wake.Completed(ProcWith(ports[2], 2));
        wake.Pending(ProcWith(ports[3], 3));
        var failure = Assert.Throws<AggregateException>(() => wake.Run());
        Assert.Equal(2, failure.InnerExceptions.Count);
        Assert.All(ports, p => Assert.Equal(1, p.Calls));
    }

    [Fact]
    public void One_failing_port_is_rethrown_as_itself_after_the_others_woke()
    {
        var ports = new[] { new Port(true), new Port(false), new Port(false) };
        var wake = new Wakeups();
        for (var i = 0; i < ports.Length; i++) wake.Completed(ProcWith(ports[i], i));
        Assert.Throws<InvalidOperationException>(() => wake.Run());
        Assert.All(ports, p => Assert.Equal(1, p.Calls));
    }
}
