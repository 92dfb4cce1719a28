using Xunit;
using Xunit.Abstractions;
using static M3Actors.Tests.Core.TestBytes;

namespace M3Actors.Tests.Core;

public sealed class VCopyTests(ITestOutputHelper output) : IpcTestKit(output)
{
    private const int MaxCopy = 4 * 1024 * 1024;

    [Fact(Timeout = 30_000)]
    public async Task Copy1_server_copies_to_and_from_a_reply_pending_client()
    {
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        var clientData = Pattern(1000, 1);
        var clientInbox = new byte[1000];
        var clientOut = client.RegisterBuffer(clientData, BufferAccess.Read);
        var clientIn = client.RegisterBuffer(clientInbox, BufferAccess.Write);
        var serverBuffer = new byte[2000];
        var serverBuf = server.RegisterBuffer(serverBuffer, BufferAccess.ReadWrite);
        Array.Fill(serverBuffer, (byte)0xAB, 1000, 1000);
        var calling = SendRecOnThread(client, server.Endpoint, Msg(1), Patience);
        Assert.Equal(IpcStatus.Ok, server.Receive(Endpoint.Any, out _, Patience));
        await AwaitState(client.Endpoint, "SENDREC waiting for");
        // The requester is the destination: pull the client's data.
        Assert.Equal(IpcStatus.Ok, server.VCopy(client.Endpoint, new(clientOut), Endpoint.Self, new(serverBuf), 1000));
        Assert.Equal(clientData, serverBuffer[..1000]);
        // The requester is the source: push into the client's inbox at an offset.
        Assert.Equal(IpcStatus.Ok, server.VCopy(Endpoint.Self, new(serverBuf, 1000), client.Endpoint, new(clientIn, 100), 900));
        Assert.Equal(Enumerable.Repeat((byte)0xAB, 900), clientInbox[100..]);
        Assert.Equal(new byte[100], clientInbox[..100]);
        Assert.Equal(IpcStatus.Ok, server.Reply(client.Endpoint, Msg(2)));
        Assert.Equal(IpcStatus.Ok, (await calling.WaitAsync(Patience)).Status);
        var stats = Vm.Snapshot();
        Assert.Equal(2, stats.Copies);
        Assert.Equal(1900, stats.BytesCopied);
    }

    [Fact(Timeout = 30_000)]
    public async Task Copy2_third_endpoint_copies_between_two_blocked_receivers()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        using var third = Vm.Bind();
        var source = Pattern(4096, 2);
        var target = new byte[4096];
        var aBuf = a.RegisterBuffer(source, BufferAccess.Read);
        var bBuf = b.RegisterBuffer(target, BufferAccess.Write);
        var aWaits = ReceiveOnThread(a, third.Endpoint, Patience);
        var bWaits = ReceiveOnThread(b, Endpoint.Any, Patience);
        await AwaitState(a.Endpoint, "RECEIVING");
        await AwaitState(b.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Ok, third.VCopy(a.Endpoint, new(aBuf), b.Endpoint, new(bBuf), 4096));
        Assert.Equal(source, target);
        Assert.Equal(IpcStatus.Ok, third.Send(a.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, third.Send(b.Endpoint, Msg(2), Patience));
        Assert.Equal(IpcStatus.Ok, (await aWaits.WaitAsync(Patience)).Status);
        Assert.Equal(IpcStatus.Ok, (await bWaits.WaitAsync(Patience)).Status);
    }

    [Fact(Timeout = 60_000)]
    public async Task Four_MiB_is_allowed_and_one_more_byte_is_Range()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var source = Pattern(MaxCopy + 1, 3);
        var target = new byte[MaxCopy + 1];
        var aBuf = a.RegisterBuffer(source, BufferAccess.Read);
        var bBuf = b.RegisterBuffer(target, BufferAccess.Write);
        var bWaits = ReceiveOnThread(b, Endpoint.Any, Patience);
        await AwaitState(b.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new(aBuf), b.Endpoint, new(bBuf), MaxCopy + 1));
        Assert.Equal(0, target[^1]);
        Assert.Equal(IpcStatus.Ok, a.VCopy(Endpoint.Self, new(aBuf), b.Endpoint, new(bBuf), MaxCopy));
        Assert.True(source.AsSpan(0, MaxCopy).SequenceEqual(target.AsSpan(0, MaxCopy)));
        Assert.Equal(0, target[^1]);
        Assert.Equal(IpcStatus.Ok, a.Send(b.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, (await bWaits.WaitAsync(Patience)).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Bad_copies_get_their_status_and_copy_nothing()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        using var idle = Vm.Bind();
        var source = Pattern(100, 4);
        var target = new byte[100];
        var aRead = a.RegisterBuffer(source, BufferAccess.Read);
        var aWrite = a.RegisterBuffer(new byte[100], BufferAccess.Write);
        var bWrite = b.RegisterBuffer(target, BufferAccess.Write);
        var bRead = b.RegisterBuffer(new byte[100], BufferAccess.Read);
        idle.RegisterBuffer(new byte[100], BufferAccess.ReadWrite);
        var bWaits = ReceiveOnThread(b, Endpoint.Any, Patience);
        await AwaitState(b.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new(aRead), b.Endpoint, new(bWrite), -1));
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new(aRead), b.Endpoint, new(bWrite), 101));      // past the end
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new(aRead, 50), b.Endpoint, new(bWrite), 51));
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new(aRead), b.Endpoint, new(bWrite, 60), 41));
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new(aRead, -1), b.Endpoint, new(bWrite), 1));
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new(7), b.Endpoint, new(bWrite), 1));             // unknown buffer
        Assert.Equal(IpcStatus.Range, a.VCopy(Endpoint.Self, new(aRead), b.Endpoint, new(9), 1));
        Assert.Equal(IpcStatus.CallDenied, a.VCopy(Endpoint.Self, new(aWrite), b.Endpoint, new(bWrite), 1));  // write-only source
        Assert.Equal(IpcStatus.CallDenied, a.VCopy(Endpoint.Self, new(aRead), b.Endpoint, new(bRead), 1));    // read-only target
        Assert.Equal(IpcStatus.ProcState, a.VCopy(Endpoint.Self, new(aRead), idle.Endpoint, new(0), 1));      // not blocked
        Assert.Equal(IpcStatus.BadSrcDst, a.VCopy(Endpoint.Any, new(0), b.Endpoint, new(bWrite), 1));
        Assert.Equal(IpcStatus.BadSrcDst, a.VCopy(Endpoint.Self, new(aRead), Endpoint.None, new(0), 1));
        Assert.Equal(IpcStatus.BadSrcDst, a.VCopy(Endpoint.Self, new(aRead), a.Endpoint, new(aWrite), 1));    // src == dst
        Assert.Equal(new byte[100], target);
        Assert.Equal(0, Vm.Snapshot().Copies);
        Assert.Equal(IpcStatus.Ok, a.Send(b.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, (await bWaits.WaitAsync(Patience)).Status);
    }

    [Fact]
    public void A_party_that_is_gone_is_SrcDied_or_DstDied()
    {
        using var a = Vm.Bind();
        var gone = Vm.Bind();
        var aBuf = a.RegisterBuffer(new byte[10], BufferAccess.ReadWrite);
        var ep = gone.Endpoint;
        gone.Dispose();
        Assert.Equal(IpcStatus.SrcDied, a.VCopy(ep, new(0), Endpoint.Self, new(aBuf), 1));
        Assert.Equal(IpcStatus.DstDied, a.VCopy(Endpoint.Self, new(aBuf), ep, new(0), 1));
    }

    // A requester that is a party copies without its own slot lock: its own checks still hold.
    [Fact(Timeout = 30_000)]
    public async Task A_requester_that_is_a_party_and_blocked_or_unbound_copies_nothing()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var aBuf = a.RegisterBuffer(Pattern(64, 6), BufferAccess.Read);
        var target = new byte[64];
        var bBuf = b.RegisterBuffer(target, BufferAccess.Write);
        var bWaits = ReceiveOnThread(b, Endpoint.Any, Patience);
        await AwaitState(b.Endpoint, "RECEIVING");
        using var stop = new CancellationTokenSource();
        var aWaits = a.ReceiveAsync(Endpoint.Any, stop.Token);        // a is blocked in its own receive
        await AwaitState(a.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Busy, a.VCopy(Endpoint.Self, new(aBuf), b.Endpoint, new(bBuf), 64));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await aWaits);
        a.Dispose();
        Assert.Equal(IpcStatus.NotBound, a.VCopy(Endpoint.Self, new(aBuf), b.Endpoint, new(bBuf), 64));
        Assert.Equal(new byte[64], target);
        Assert.Equal(0, Vm.Snapshot().Copies);
        using var c = Vm.Bind();
        Assert.Equal(IpcStatus.Ok, c.Send(b.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, (await bWaits.WaitAsync(Patience)).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Actor_server_copies_from_a_reply_pending_client()
    {
        using var client = Vm.Bind();
        var data = Pattern(512, 5);
        var buf = client.RegisterBuffer(data, BufferAccess.Read);
        var received = new byte[512];
        Vm.ActorOf(Akka.Actor.Props.Create(() => new CopyingServer(3, received)), "copier");
        await AwaitBound(Endpoint.System(3));
        var m = Msg(1, buf);
        m.SetInt(1, data.Length);
        var (status, reply) = await SendRecOnThread(client, Endpoint.System(3), m, Patience).WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, status);
        Assert.Equal((int)IpcStatus.Ok, reply.GetInt(0));
        Assert.Equal(data, received);
    }

    private sealed class CopyingServer(int slot, byte[] into) : EndpointActor(slot)
    {
        private int _buffer = -1;

        protected override void OnMessage(in Message m)
        {
            if (_buffer < 0) _buffer = RegisterBuffer(into, BufferAccess.Write);
            var status = VCopy(m.Source, new(m.GetInt(0)), Endpoint.Self, new(_buffer), m.GetInt(1));
            var reply = new Message(2);
            reply.SetInt(0, (int)status);
            Reply(m.Source, in reply);
        }
    }
}
