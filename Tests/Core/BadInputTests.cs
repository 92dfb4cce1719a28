using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Every bad argument gets its exact status, and nothing reaches anybody.</summary>
public sealed class BadInputTests(ITestOutputHelper output) : IpcTestKit(output)
{
    [Fact]
    public void Slot_out_of_range_is_BadSrcDst()
    {
        using var h = Vm.Bind();
        var outside = Endpoint.System(Vm.Options.SystemSlots + Vm.Options.UserSlots);
        Assert.Equal(IpcStatus.BadSrcDst, h.SendNb(outside, Msg(1)));
        Assert.Equal(IpcStatus.BadSrcDst, h.Send(outside, Msg(1), Patience));
        Assert.Equal(IpcStatus.BadSrcDst, h.Receive(outside, out _, Patience));
        Assert.Equal(IpcStatus.BadSrcDst, h.Notify(outside));
        Assert.Equal(IpcStatus.BadSrcDst, h.SendNb(new Endpoint(-5), Msg(1)));
    }

    [Fact]
    public void Any_and_None_as_destination_are_BadSrcDst()
    {
        using var h = Vm.Bind();
        foreach (var bad in new[] { Endpoint.Any, Endpoint.None })
        {
            var m = Msg(1);
            Assert.Equal(IpcStatus.BadSrcDst, h.Send(bad, in m, Patience));
            Assert.Equal(IpcStatus.BadSrcDst, h.SendNb(bad, in m));
            Assert.Equal(IpcStatus.BadSrcDst, h.SendRec(bad, ref m, Patience));
            Assert.Equal(IpcStatus.BadSrcDst, h.Notify(bad));
            Assert.Equal(IpcStatus.BadSrcDst, h.Reply(bad, in m));
        }
        Assert.Equal(IpcStatus.BadSrcDst, h.Receive(Endpoint.None, out _, Patience));
    }

    [Fact]
    public void Self_as_partner_is_BadEndpoint()
    {
        using var h = Vm.Bind();
        foreach (var me in new[] { Endpoint.Self, h.Endpoint })
        {
            var m = Msg(1);
            Assert.Equal(IpcStatus.BadEndpoint, h.Send(me, in m, Patience));
            Assert.Equal(IpcStatus.BadEndpoint, h.SendNb(me, in m));
            Assert.Equal(IpcStatus.BadEndpoint, h.SendRec(me, ref m, Patience));
            Assert.Equal(IpcStatus.BadEndpoint, h.Notify(me));
            Assert.Equal(IpcStatus.BadEndpoint, h.Receive(me, out _, Patience));
        }
        AssertNoTrace(h.Endpoint);
    }

    [Fact(Timeout = 20_000)]
    public async Task Actor_send_to_self_is_BadEndpoint()
    {
        var (actor, ep) = Script();
        Assert.Equal(IpcStatus.BadEndpoint, Do(actor, new ScriptActor.DoSend(Endpoint.Self, Msg(1))));
        Assert.Equal(IpcStatus.BadEndpoint, Do(actor, new ScriptActor.DoSendRec(ep, Msg(1))));
        await AwaitState(ep, "RECEIVING from ANY (idle)");
    }

    [Fact(Timeout = 20_000)]
    public async Task Stale_endpoint_after_rebind_is_BadEndpoint_and_never_reaches_the_new_owner()
    {
        using var caller = Vm.Bind();
        var old = Vm.Bind();
        var slot = old.Endpoint.Slot;
        var stale = old.Endpoint;
        old.Dispose();
        using var fresh = Vm.Bind(slot);
        Assert.Equal(slot, fresh.Endpoint.Slot);
        Assert.Equal(stale.Generation + 1, fresh.Endpoint.Generation);
        var receiving = ReceiveOnThread(fresh, Endpoint.Any, Patience);
        await AwaitState(fresh.Endpoint, "RECEIVING from ANY");
        var m = Msg(1);
        Assert.Equal(IpcStatus.BadEndpoint, caller.Send(stale, in m, Patience));
        Assert.Equal(IpcStatus.BadEndpoint, caller.SendNb(stale, in m));
        Assert.Equal(IpcStatus.BadEndpoint, caller.SendRec(stale, ref m, Patience));
        Assert.Equal(IpcStatus.BadEndpoint, caller.Notify(stale));
        Assert.Equal(IpcStatus.BadEndpoint, caller.Receive(stale, out _, TimeSpan.Zero));
        // The new owner got nothing: it is still waiting, with nothing pending.
        var p = ProcOf(fresh.Endpoint)!;
        Assert.StartsWith("RECEIVING from ANY", p.State);
        Assert.Equal(0, p.PendingNotifies);
        Assert.Equal(0, p.Received);
        Assert.Equal(IpcStatus.Ok, caller.Send(fresh.Endpoint, Msg(2), Patience));
        var (status, got) = await receiving.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, status);
        Assert.Equal(2, got.Type);
    }

    [Fact]
    public void A_system_slot_keeps_its_endpoint_and_a_dead_one_is_not_alive()
    {
        using var caller = Vm.Bind();
        var server = Vm.Bind(3);
        Assert.Equal(Endpoint.System(3), server.Endpoint);
        server.Dispose();
        var m = Msg(1);
        Assert.Equal(IpcStatus.DeadSrcDst, caller.SendRec(Endpoint.System(3), ref m, Patience));
        Assert.Equal(IpcStatus.DstDied, caller.Send(Endpoint.System(3), in m, Patience));
        using var again = Vm.Bind(3);
        Assert.Equal(Endpoint.System(3), again.Endpoint);
    }

    [Fact]
    public void User_slot_generation_wraps_to_1_never_0()
    {
        var slot = Vm.Options.SystemSlots;
        var seen = 0;
        for (var i = 0; i < Endpoint.MaxGeneration; i++)
        {
            using var h = Vm.Bind(slot);
            seen = h.Endpoint.Generation;
        }
        Assert.Equal(Endpoint.MaxGeneration, seen);
        using var wrapped = Vm.Bind(slot);
        Assert.Equal(1, wrapped.Endpoint.Generation);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_endpoint_of_another_vm_reaches_only_the_callers_vm()
    {
        var vmB = ExtraVm(2);
        try
        {
            Vm.ActorOf(Props.Create(() => new TaggedEchoServer(3, 100)), "serverA");
            using var clientB = vmB.Bind();
            await AwaitBound(Endpoint.System(3));
            // Nothing bound on slot 3 in B: A's server is not reachable from B.
            var m = Msg(1);
            Assert.Equal(IpcStatus.DeadSrcDst, clientB.SendRec(Endpoint.System(3), ref m, Patience));
            Assert.Equal(IpcStatus.DstDied, clientB.Send(Endpoint.System(3), Msg(1), Patience));
            Assert.Equal(IpcStatus.DeadSrcDst, clientB.Notify(Endpoint.System(3)));     // notify: Minix's EDEADSRCDST
            vmB.ActorOf(Props.Create(() => new TaggedEchoServer(3, 200)), "serverB");
            await AwaitBound(Endpoint.System(3), vmB);
            m = Msg(1);
            Assert.Equal(IpcStatus.Ok, clientB.SendRec(Endpoint.System(3), ref m, Patience));
            Assert.Equal(200, m.GetInt(1));
            Assert.Equal(0, ProcOf(Endpoint.System(3))!.Received);      // A's server never saw anything
            Assert.Equal(0, ProcOf(Endpoint.System(3))!.PendingNotifies);
        }
        finally
        {
            await vmB.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact]
    public void Unbound_handle_gets_NotBound()
    {
        using var other = Vm.Bind();
        var h = Vm.Bind();
        h.Dispose();
        Assert.False(h.IsBound);
        var m = Msg(1);
        Assert.Equal(IpcStatus.NotBound, h.Send(other.Endpoint, in m, Patience));
        Assert.Equal(IpcStatus.NotBound, h.SendNb(other.Endpoint, in m));
        Assert.Equal(IpcStatus.NotBound, h.SendRec(other.Endpoint, ref m, Patience));
        Assert.Equal(IpcStatus.NotBound, h.Receive(Endpoint.Any, out _, Patience));
        Assert.Equal(IpcStatus.NotBound, h.Notify(other.Endpoint));
        Assert.Equal(IpcStatus.NotBound, h.Reply(other.Endpoint, in m));
        Assert.Equal(IpcStatus.NotBound, h.RcvRqst(out _, Patience));
        Assert.Throws<IpcException>(() => h.RegisterBuffer(new byte[4], BufferAccess.Read)).Status.Let(s => Assert.Equal(IpcStatus.NotBound, s));
    }

    [Fact(Timeout = 20_000)]
    public async Task Reply_to_an_endpoint_not_waiting_for_us_is_ProcState()
    {
        using var server = Vm.Bind();
        using var idle = Vm.Bind();
        using var other = Vm.Bind();
        Assert.Equal(IpcStatus.ProcState, server.Reply(idle.Endpoint, Msg(1)));
        // Waiting for a reply, but from someone else.
        var waiting = SendRecOnThread(idle, other.Endpoint, Msg(1), Patience);
        Assert.Equal(IpcStatus.Ok, other.Receive(Endpoint.Any, out _, Patience));
        await AwaitState(idle.Endpoint, "SENDREC waiting for");
        Assert.Equal(IpcStatus.ProcState, server.Reply(idle.Endpoint, Msg(2)));
        // Receiving (not in sendrec) from us: still not a reply.
        Assert.Equal(IpcStatus.Ok, other.Reply(idle.Endpoint, Msg(3)));
        Assert.Equal(3, (await waiting.WaitAsync(Patience)).Message.Type);
        var receiving = ReceiveOnThread(idle, server.Endpoint, Patience);
        await AwaitState(idle.Endpoint, "RECEIVING from");
        Assert.Equal(IpcStatus.ProcState, server.Reply(idle.Endpoint, Msg(4)));
        Assert.Equal(IpcStatus.Ok, server.Send(idle.Endpoint, Msg(5), Patience));
        Assert.Equal(5, (await receiving.WaitAsync(Patience)).Message.Type);
    }

    [Fact]
    public void Timeout_must_be_zero_positive_or_infinite()
    {
        using var h = Vm.Bind();
        using var other = Vm.Bind();
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Send(other.Endpoint, Msg(1), TimeSpan.FromMilliseconds(-2)));
    }
}

/// <summary>An echo server that stamps a tag into int 1 of every reply (tells which server answered).</summary>
public sealed class TaggedEchoServer(int slot, int tag) : EndpointActor(slot)
{
    protected override void OnMessage(in Message m)
    {
        if (m.IsNotify) return;
        var reply = m;
        reply.Type = m.Type + 1;
        reply.SetInt(1, tag);
        if (Reply(m.Source, in reply) != IpcStatus.Ok) SendNb(m.Source, in reply);
    }
}

internal static class TestExtensions
{
    public static void Let<T>(this T value, Action<T> check) => check(value);
}
