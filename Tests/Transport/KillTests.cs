using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Transport;

/// <summary>
/// A child attached to the shared VM killed with SIGKILL in the middle of calls: this process (the survivor) reaps
/// it, so its partners here are released with the rulebook's status, the records stay consistent and later calls
/// work. The release time (kill to partner released) is written to the test output, never asserted.
/// </summary>
public sealed class KillTests(ITestOutputHelper output) : SharedVmTest
{
    private const int Echo = 1;

    [Fact(Timeout = 60_000)]
    public async Task Partners_here_of_a_killed_child_get_DstDied_and_SrcDied()
    {
        var child = await Shared.ChildAsync();
        var silent = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var sender = Shared.Vm.Bind(owner: "sender");
        using var caller = Shared.Vm.Bind(owner: "caller");
        using var receiver = Shared.Vm.Bind(owner: "receiver");
        var send = Task.Run(() => sender.Send(silent, new Message(Echo), SharedVm.Patience));
        var sendRec = Task.Run(() =>
        {
            var m = new Message(Echo);
            return caller.SendRec(silent, ref m, SharedVm.Patience);
        });
        var receive = Task.Run(() => receiver.Receive(silent, out _, SharedVm.Patience));
        await Shared.AwaitStateAsync(sender.Endpoint, "SENDING");
        await Shared.AwaitStateAsync(caller.Endpoint, "SENDREC sending");
        await Shared.AwaitStateAsync(receiver.Endpoint, "RECEIVING");

        var clock = Stopwatch.StartNew();
        await child.KillHardAsync();
        var statuses = await Task.WhenAll(send, sendRec, receive).WaitAsync(SharedVm.Patience);
        output.WriteLine($"kill -> 3 partners released: {clock.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Equal([IpcStatus.DstDied, IpcStatus.DstDied, IpcStatus.SrcDied], statuses);
        await AssertReapedAsync(silent);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_child_killed_in_sendrec_on_a_server_here_leaves_the_server_serving()
    {
        var child = await Shared.ChildAsync();
        using var server = Shared.Vm.Bind(3, "server here");
        using var client = Shared.Vm.Bind(owner: "client here");
        var childClient = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        child.Send($"vm sendrec 20 {server.Endpoint.Value} 7 20000");
        Assert.Equal(IpcStatus.Ok, server.RcvRqst(out var request, SharedVm.Patience));
        Assert.Equal(childClient, request.Source);

        await child.KillHardAsync();
        await AssertReapedAsync(childClient);
        Assert.NotEqual(IpcStatus.Ok, server.Reply(childClient, new Message(Echo)));

        // The server goes on with a client here.
        var answer = Task.Run(() =>
        {
            var status = server.RcvRqst(out var m, SharedVm.Patience);
            return status == IpcStatus.Ok ? server.Reply(m.Source, new Message(Echo)) : status;
        });
        var call = new Message(Echo);
        Assert.Equal(IpcStatus.Ok, client.SendRec(server.Endpoint, ref call, SharedVm.Patience));
        Assert.Equal(IpcStatus.Ok, await answer.WaitAsync(SharedVm.Patience));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_server_here_whose_client_was_queued_on_a_killed_childs_server_serves_the_next_child()
    {
        var child = await Shared.ChildAsync();
        var busy = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 4", "vm bound"));
        using var client = Shared.Vm.Bind(owner: "client here");
        var call = Task.Run(() =>
        {
            var m = new Message(Echo);
            return client.SendRec(busy, ref m, SharedVm.Patience);
        });
        await Shared.AwaitStateAsync(client.Endpoint, "SENDREC sending");
        await child.KillHardAsync();
        Assert.Equal(IpcStatus.DstDied, await call.WaitAsync(SharedVm.Patience));
        await AssertReapedAsync(busy);

        // The same system slot, served by a new child, answers the same client.
        var next = await Shared.ChildAsync();
        var server = SharedVm.EndpointIn(await next.ExpectAsync("vm server thread 4", "vm serving"));
        Assert.Equal(busy, server);
        var m = new Message(Echo);
        m.SetInt(0, 41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(server, ref m, SharedVm.Patience));
        Assert.Equal(42, m.GetInt(0));
    }

    // The killed child's endpoint leaves /proc and the records' invariants hold.
    private async Task AssertReapedAsync(Endpoint dead)
    {
        await SharedVm.AwaitAsync(() => Shared.ProcOf(dead) is null, () => $"{dead} is still listed after the kill");
        Assert.Null(Shared.Vm.Kernel.CheckRecords());
    }
}
