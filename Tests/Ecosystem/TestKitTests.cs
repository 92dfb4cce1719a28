using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace M3Actors.Tests.Ecosystem;

/// <summary>The users' TestKit: probe endpoints, scripted replies and the failures they report.</summary>
public sealed class TestKitTests(ITestOutputHelper output) : VmTestKit(output)
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    /// <summary>A server that asks the disk (system slot 3) for a block and answers with the block plus one.</summary>
    private sealed class CacheServer() : EndpointActor(4)
    {
        private Endpoint _client = Endpoint.None;

        protected override void OnMessage(in Message m)
        {
            _client = m.Source;
            var read = new Message(10);
            read.Set(m.Get<long>());
            SendRec(Endpoint.System(3), in read);
        }

        protected override void OnReply(IpcStatus status, in Message reply)
        {
            var answer = new Message((int)status);
            answer.Set(reply.Get<long>() + 1);
            Reply(_client, in answer);
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task A_server_is_tested_with_a_client_probe_and_a_scripted_disk_probe()
    {
        using var disk = Probe(slot: 3);
        var served = disk.ServeAsync(request =>
        {
            var block = new Message(0);
            block.Set(request.Get<long>() * 100);
            return block;
        });
        var cache = await StartServerAsync(Props.Create(() => new CacheServer()), slot: 4);
        using var client = Probe();
        var question = new Message(1);
        question.Set(7L);

        var reply = client.ExpectIpcReply(cache, question);

        Assert.Equal((0, 701L), (reply.Type, reply.Get<long>()));
        var request = Assert.Single(await served.WaitAsync(Patience));
        Assert.Equal((10, 7L, cache), (request.Type, request.Get<long>(), request.Source));
        Assert.Equal(request.Get<long>(), Assert.Single(disk.Received).Get<long>());
        Assert.Equal(reply.Get<long>(), Assert.Single(client.Received).Get<long>());
    }

    [Fact(Timeout = 20_000)]
    public async Task ExpectIpc_returns_messages_in_order_and_checks_their_type()
    {
        using var probe = Probe();
        using var sender = Vm.Bind();
        var first = SendOnThread(sender, probe.Endpoint, 5);
        Assert.Equal(5, probe.ExpectIpc(5, sender.Endpoint).Type);
        Assert.Equal(IpcStatus.Ok, await first.WaitAsync(Patience));
        Assert.Equal(IpcStatus.Ok, sender.Notify(probe.Endpoint));
        Assert.Equal(sender.Endpoint, probe.ExpectIpcNotify(sender.Endpoint));
        var second = SendOnThread(sender, probe.Endpoint, 6);
        var wrongType = Assert.ThrowsAny<XunitException>(() => probe.ExpectIpc(7));
        Assert.Contains("expected a message of type 7, got type 6", wrongType.Message);
        Assert.Equal(IpcStatus.Ok, await second.WaitAsync(Patience));
        Assert.Equal(3, probe.Received.Count);
    }

    [Fact]
    public void An_expectation_that_is_not_met_fails_with_the_status_and_its_reason()
    {
        using var probe = Probe();
        var nothing = Assert.ThrowsAny<XunitException>(() => probe.ExpectIpc(timeout: Short));
        Assert.Contains("expected a message from ANY within", nothing.Message);
        Assert.Contains("TimedOut", nothing.Message);
        var noServer = Assert.ThrowsAny<XunitException>(() => probe.ExpectIpcReply(Endpoint.System(9), new Message(1)));
        Assert.Contains("expected a reply from 0:9", noServer.Message);
        Assert.Contains("DeadSrcDst", noServer.Message);
        Assert.Empty(probe.Received);
    }

    [Fact]
    public void ExpectNoIpc_passes_on_silence_and_fails_on_a_message()
    {
        using var probe = Probe();
        probe.ExpectNoIpc(Short);
        using var notifier = Vm.Bind();
        Assert.Equal(IpcStatus.Ok, notifier.Notify(probe.Endpoint));
        var error = Assert.ThrowsAny<XunitException>(() => probe.ExpectNoIpc(Short));
        Assert.Contains($"expected no message for {Short}, got type {Message.NotifyType} from {notifier.Endpoint}",
            error.Message);
    }

    [Fact(Timeout = 20_000)]
    public async Task ServeAsync_faults_with_the_failed_expectation_when_no_request_comes()
    {
        using var probe = Probe();
        var serving = probe.ServeAsync(m => m, requests: 1, timeout: Short);
        var error = await Assert.ThrowsAnyAsync<XunitException>(() => serving.WaitAsync(Patience));
        Assert.Contains("expected a request within", error.Message);
    }

    [Fact]
    public void A_fixture_with_its_own_options_boots_that_VM_and_ends_it()
    {
        var kit = new CustomKit();
        Assert.Equal(("custom", 4), (kit.TheVm.Name, kit.TheVm.Options.SystemSlots));
        Assert.Equal(2, kit.TheDrvs.NodeId);
        kit.Dispose();
        Assert.False(kit.TheDrvs.IsInitialised);
        Assert.False(kit.TheVm.IsRunning);
    }

    [Fact]
    public void A_VM_that_cannot_start_fails_the_fixture_with_its_reason()
    {
        var tooLong = new VmOptions { Id = 1, Name = "much-too-long-vm-name" };
        var error = Assert.Throws<IpcException>(() => new CustomKit(tooLong));
        Assert.Equal(IpcStatus.BadRange, error.Status);
    }

    private static Task<IpcStatus> SendOnThread(EndpointHandle sender, Endpoint dst, int type) =>
        OnThread(() => sender.Send(dst, new Message(type), Patience));

    private sealed class CustomKit(VmOptions? vm = null) : VmTestKit(
        vm ?? new VmOptions { Id = 3, Name = "custom", SystemSlots = 4 }, drvs: new DrvsOptions { NodeId = 2 })
    {
        public Vm TheVm => Vm;

        public Drvs TheDrvs => Drvs;
    }
}
