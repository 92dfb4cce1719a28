using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The deadlock check across processes: the call that would close a cycle of endpoints blocked on each other in two
/// or three processes is refused with Locked before it blocks, and only that call.
/// </summary>
public sealed class SharedVmDeadlockTests : SharedVmTest
{
    [Fact(Timeout = 60_000)]
    public async Task A_cycle_across_two_processes_is_refused_once()
    {
        var child = await Shared.ChildAsync();
        var a = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        using var b = Shared.Vm.Bind(owner: "b");

        child.Send($"vm send 20 {b.Endpoint.Value} 5 10000");       // a → b, blocks: b is not receiving
        await Shared.AwaitStateAsync(a, "SENDING to");
        Assert.Equal(IpcStatus.Locked, b.Send(a, new Message(6), SharedVm.Patience));   // b → a closes the cycle

        // a's call was never refused: b takes its message and it returns Ok.
        Assert.Equal(IpcStatus.Ok, b.Receive(a, out var m, SharedVm.Patience));
        Assert.Equal(5, m.Type);
        Assert.Equal("vm send Ok", await child.NextReplyAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_cycle_across_three_processes_is_refused_once()
    {
        var first = await Shared.ChildAsync();
        var second = await Shared.ChildAsync();
        var a = SharedVm.EndpointIn(await first.ExpectAsync("vm bind 20", "vm bound"));
        var b = SharedVm.EndpointIn(await second.ExpectAsync("vm bind 21", "vm bound"));
        using var c = Shared.Vm.Bind(owner: "c");

        first.Send($"vm send 20 {b.Value} 5 10000");        // a → b
        await Shared.AwaitStateAsync(a, "SENDING to");
        second.Send($"vm send 21 {c.Endpoint.Value} 6 10000");   // b → c
        await Shared.AwaitStateAsync(b, "SENDING to");
        Assert.Equal(IpcStatus.Locked, c.Send(a, new Message(7), SharedVm.Patience));     // c → a: the cycle

        // Unwind: c takes b's message, then b (now free) takes a's; both blocked calls return Ok.
        Assert.Equal(IpcStatus.Ok, c.Receive(b, out var fromB, SharedVm.Patience));
        Assert.Equal(6, fromB.Type);
        Assert.Equal("vm send Ok", await second.NextReplyAsync());
        await second.ExpectAsync($"vm receive 21 {a.Value} 10000", $"vm receive Ok {a.Value} 5");
        Assert.Equal("vm send Ok", await first.NextReplyAsync());
    }
}
