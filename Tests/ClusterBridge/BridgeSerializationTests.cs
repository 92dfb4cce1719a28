using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using M3Actors.ClusterBridge.Directory;
using M3Actors.ClusterBridge.Frames;
using M3Actors.ClusterBridge.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// The bridge's serialization in a real pair of remote ActorSystems on loopback: batches of IPC frames use the frame
/// serializer, control messages Hyperion with a type filter that refuses anything else from the wire.
/// </summary>
public sealed class BridgeSerializationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private ActorSystem _a = null!;
    private ActorSystem _b = null!;

    public Task InitializeAsync()
    {
        _a = Start("a");
        _b = Start("b");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Task.WhenAll(_a.Terminate(), _b.Terminate()).WaitAsync(Patience);

    [Fact]
    public void Frame_batches_and_control_messages_get_their_own_serializers()
    {
        var serialization = _a.Serialization;
        Assert.IsType<IpcFrameSerializer>(serialization.FindSerializerForType(typeof(FrameBatch)));
        Assert.IsType<ControlSerializer>(serialization.FindSerializerForType(typeof(DirectoryEntry)));
    }

    [Fact]
    public void A_batch_of_one_frame_costs_62_bytes_where_Akkas_default_costs_more()
    {
        var frame = new IpcFrame(FrameKind.Send, 1, Endpoint.System(1), Endpoint.System(2), IpcStatus.Ok, new Message(7));
        var batch = new FrameBatch(IpcFrameSerializerTests.Batch(frame));
        var ours = _a.Serialization.Serialize(batch);
        var json = _a.Serialization.FindSerializerForType(typeof(object)).ToBinary(frame).Length;
        output.WriteLine($"bytes per frame: ours {ours.Length} (1 version + 5 header + 56 payload), Akka's default (JSON) {json}");
        Assert.Same(batch.Bytes, ours);     // the batch is its wire form: nothing copied
        Assert.Equal(62, ours.Length);
        Assert.True(ours.Length < json, $"the frame ({ours.Length} B) should be smaller than Akka's default ({json} B)");
    }

    [Fact]
    public void Hyperion_refuses_a_type_outside_the_filter()
    {
        // What one node writes, another reads: the reading serializer has never seen the type itself.
        var writer = _a.Serialization.FindSerializerForType(typeof(DirectoryEntry));
        var reader = _b.Serialization.FindSerializerForType(typeof(DirectoryEntry));
        var entry = new DirectoryEntry(Endpoint.Of(2, 40), 3, "fs");
        Assert.Equal(entry, reader.FromBinary(writer.ToBinary(entry), typeof(DirectoryEntry)));

        // An attacker's node writes with an unrestricted Hyperion; ours refuses what it has not listed.
        using var stream = new MemoryStream();
        new Hyperion.Serializer().Serialize(new Intruder("rm -rf"), stream);
        var error = Assert.ThrowsAny<Exception>(() => reader.FromBinary(stream.ToArray(), typeof(object)));
        Assert.Contains("Intruder", error.Message);
        Assert.ThrowsAny<Exception>(() => writer.ToBinary(new Intruder("ls")));      // and never writes it either
    }

    [Fact(Timeout = 30_000)]
    public async Task Frames_and_directory_entries_cross_a_real_remote_hop_intact()
    {
        _b.ActorOf(Props.Create(() => new Echo()), "echo");
        var address = ((ExtendedActorSystem)_b).Provider.DefaultAddress;
        var echo = await _a.ActorSelection($"{address}/user/echo").ResolveOne(Patience);

        var message = new Message(3);
        message.SetText("hello");
        var request = new IpcFrame(FrameKind.SendRec, 77, Endpoint.Of(1, 33), Endpoint.System(4), IpcStatus.Ok, message);
        var answer = new IpcFrame(FrameKind.Ack, -3, Endpoint.Of(1, 33), Endpoint.System(4), IpcStatus.NotReady, default);
        var back = await echo.Ask<FrameBatch>(new FrameBatch(IpcFrameSerializerTests.Batch(request, answer)), Patience);
        var at = 1;
        IpcFrameSerializerTests.AssertSame(request, FrameCodec.Read(back.Bytes, ref at));
        IpcFrameSerializerTests.AssertSame(answer, FrameCodec.Read(back.Bytes, ref at));
        Assert.Equal(back.Bytes.Length, at);
        at = 1;
        Assert.Equal("hello", FrameCodec.Read(back.Bytes, ref at).Message.GetText());

        var entry = new DirectoryEntry(Endpoint.Of(5, 40), 2, "disk");
        Assert.Equal(entry, await echo.Ask<DirectoryEntry>(entry, Patience));
    }

    private static ActorSystem Start(string name)
    {
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            """).WithFallback(BridgeSerialization.Config);
        return ActorSystem.Create($"bridge-{name}", config);
    }

    private sealed record Intruder(string Command);

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }
}
