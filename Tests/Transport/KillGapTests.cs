using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// A child killed between the steps of a completion it makes for a thread client here: after writing the reply
/// while still holding the client's slot lock, or after the unlock but before its wakeup. The host stops at exactly
/// that point (its <c>fault</c> commands), so the gap is hit every run: the client must get its reply all the same,
/// and its next call must be completed by its own reply, not by anything left from the killed child's. Likewise a
/// child killed between the stores of a client's state change as it takes the client's request.
/// </summary>
public sealed class KillGapTests : SharedVmTest
{
    private const int Echo = 1;
    private const int ChildServer = 5;

    [Theory(Timeout = 60_000)]
    [InlineData("unlock")]
    [InlineData("wake")]
    public async Task A_reply_whose_writer_was_killed_before_waking_the_client_still_reaches_it(string stopAt)
    {
        using var child = await FaultChildAsync();
        var server = SharedVm.EndpointIn(await child.ExpectAsync($"fault bind {ChildServer}", "fault bound"));
        using var client = Shared.Vm.Bind(owner: "client here");
        var call = Task.Run(() => Call(client, server, 41));
        await Shared.AwaitStateAsync(client.Endpoint, "SENDREC sending");
        await child.ExpectAsync($"fault take {ChildServer}", $"fault took Ok {client.Endpoint.Value} 41");

        await child.ExpectAsync($"fault reply {ChildServer} {client.Endpoint.Value} 41 {stopAt}",
            $"fault stopped {stopAt}");
        // Written but not woken: the writer lives, so its wakeup is still to come and the client waits for it.
        Assert.False(call.IsCompleted, "the client returned before its reply's writer woke it or died");
        await child.KillHardAsync();

        Assert.Equal((IpcStatus.Ok, 42, server), await call.WaitAsync(SharedVm.Patience));
        await SharedVm.AwaitAsync(() => Shared.ProcOf(server) is null, () => $"{server} is still listed");
        Assert.Null(Shared.Vm.Kernel.CheckRecords());

        // The client's next call waits for its own reply.
        using var next = Shared.Vm.Bind(3, "server here");
        var nextCall = Task.Run(() => Call(client, next.Endpoint, 7));
        Assert.Equal(IpcStatus.Ok, next.Receive(Endpoint.Any, out var request, SharedVm.Patience));
        Assert.False(nextCall.IsCompleted, "the next call completed before its server replied");
        Assert.Equal(IpcStatus.Ok, next.Reply(request.Source, Reply(request.GetInt(0) + 1)));
        Assert.Equal((IpcStatus.Ok, 8, next.Endpoint), await nextCall.WaitAsync(SharedVm.Patience));
    }

#if DEBUG     // the store-level stop point exists in Debug builds only (IpcKernel.BetweenStateStores)
    // The server's child takes the client's request and is killed inside the client's state change, with the record
    // half written: after the source it will wait for is named (the request reads as still queued: DstDied) or also
    // after the flags (it reads as taken: SrcDied, rulebook §12.6). With the flags stored first, the second point
    // left the client receiving from NONE, released by nobody (the kill campaign's rare TimedOut).
    [Theory(Timeout = 60_000)]
    [InlineData(1, IpcStatus.DstDied)]
    [InlineData(2, IpcStatus.SrcDied)]
    public async Task A_server_killed_while_taking_a_request_releases_its_client(int stop, IpcStatus expected)
    {
        using var child = await FaultChildAsync();
        var server = SharedVm.EndpointIn(await child.ExpectAsync($"fault bind {ChildServer}", "fault bound"));
        using var client = Shared.Vm.Bind(owner: "client here");
        var call = Task.Run(() => Call(client, server, 41));
        await Shared.AwaitStateAsync(client.Endpoint, "SENDREC sending");

        await child.ExpectAsync($"fault take {ChildServer} {client.Endpoint.Slot} {stop}",
            $"fault stopped store {stop}");
        await child.KillHardAsync();

        Assert.Equal(expected, (await call.WaitAsync(SharedVm.Patience)).Item1);
        await SharedVm.AwaitAsync(() => Shared.ProcOf(server) is null, () => $"{server} is still listed");
        Assert.Null(Shared.Vm.Kernel.CheckRecords());
        using var next = Shared.Vm.Bind(3, "server here");
        var nextCall = Task.Run(() => Call(client, next.Endpoint, 7));
        Assert.Equal(IpcStatus.Ok, next.Receive(Endpoint.Any, out var request, SharedVm.Patience));
        Assert.Equal(IpcStatus.Ok, next.Reply(request.Source, Reply(request.GetInt(0) + 1)));
        Assert.Equal((IpcStatus.Ok, 8, next.Endpoint), await nextCall.WaitAsync(SharedVm.Patience));
    }
#endif

    [Fact(Timeout = 60_000)]
    public async Task Calls_on_a_slot_whose_lock_a_killed_child_held_complete()
    {
        using var child = await FaultChildAsync();
        using var server = Shared.Vm.Bind(3, "server here");
        using var client = Shared.Vm.Bind(owner: "client here");
        var serve = Task.Run(() =>
        {
            var status = server.Receive(Endpoint.Any, out var m, SharedVm.Patience);
            return status == IpcStatus.Ok ? server.Reply(m.Source, Reply(m.GetInt(0) + 1)) : status;
        });
        await Shared.AwaitStateAsync(server.Endpoint, "RECEIVING");
        await child.ExpectAsync($"fault hold {server.Endpoint.Slot}", $"fault stopped holding {server.Endpoint.Slot}");

        var call = Task.Run(() => Call(client, server.Endpoint, 7));
        await child.KillHardAsync();

        Assert.Equal((IpcStatus.Ok, 8, server.Endpoint), await call.WaitAsync(SharedVm.Patience));
        Assert.Equal(IpcStatus.Ok, await serve.WaitAsync(SharedVm.Patience));
        Assert.Null(Shared.Vm.Kernel.CheckRecords());
    }

    // A host attached to the test's VM through its fault-injection kernel.
    private async Task<HostProcess> FaultChildAsync()
    {
        var child = HostProcess.Start();
        try
        {
            await child.ExpectAsync($"fault attach {Arenas.Path} 1 {Shared.VmId} {Shared.Name} " +
                $"{SharedVm.SystemSlots} {SharedVm.UserSlots} {SharedVm.MaxProcesses}", "fault attached");
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    private static (IpcStatus, int, Endpoint) Call(EndpointHandle client, Endpoint server, int value)
    {
        var m = Reply(value);
        var status = client.SendRec(server, ref m, SharedVm.Patience);
        return (status, m.GetInt(0), m.Source);
    }

    private static Message Reply(int value)
    {
        var m = new Message(Echo);
        m.SetInt(0, value);
        return m;
    }
}
