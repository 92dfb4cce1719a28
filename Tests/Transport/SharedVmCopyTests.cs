using M3Actors.Transport;
using M3Actors.TransportHost;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// vcopy across processes: buffers from each process's copy window
/// (<see cref="TransportExtensions.AllocateCopyBuffer"/>), the requester's process copying window to window, COPY1 and COPY2 with parties in two and three processes, the
/// rulebook's statuses for a bad grant, and a party's process killed in the middle of a chunked copy.
/// </summary>
public sealed class SharedVmCopyTests : SharedVmTest
{
    // Larger than one chunk (64 KiB), so these copies take the chunked path across processes too.
    private const int Bytes = 200_000;

    [Fact(Timeout = 60_000)]
    public async Task Copy1_goes_both_ways_between_this_process_and_a_child()
    {
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        var theirs = Id(await child.ExpectAsync($"vm buffer 20 {Bytes} 7 r", "vm buffer"));
        var target = Id(await child.ExpectAsync($"vm buffer 20 {Bytes} 0 w", "vm buffer"));
        await BlockInReceiveAsync(child, remote, 20);
        using var here = Shared.Vm.Bind(owner: "requester");
        var mine = Shared.Vm.AllocateCopyBuffer(Bytes);
        CopyPattern.Fill(mine.Span, 3);
        var own = here.RegisterBuffer(mine, BufferAccess.ReadWrite);

        // Here → child, then child → here (over what was just sent), each checked where it landed.
        Assert.Equal(IpcStatus.Ok, here.VCopy(Endpoint.Self, new(own), remote, new(target), Bytes));
        await child.ExpectAsync($"vm sum 20 {target}", $"vm sum {CopyPattern.ChecksumOf(Bytes, 3)}");
        Assert.Equal(IpcStatus.Ok, here.VCopy(remote, new(theirs), Endpoint.Self, new(own), Bytes));
        Assert.Equal(CopyPattern.ChecksumOf(Bytes, 7), CopyPattern.Checksum(mine.Span));

        // A block inside the buffers, at offsets: only that block changes.
        Assert.Equal(IpcStatus.Ok, here.VCopy(remote, new(theirs, 1000), Endpoint.Self, new(own, 5), 100));
        var expected = new byte[Bytes];
        CopyPattern.Fill(expected, 7);
        expected.AsSpan(1000, 100).CopyTo(expected.AsSpan(5));
        Assert.Equal(CopyPattern.Checksum(expected), CopyPattern.Checksum(mine.Span));
    }

    [Fact(Timeout = 60_000)]
    public async Task Copy2_with_parties_in_two_and_in_three_processes()
    {
        var first = await Shared.ChildAsync();
        var second = await Shared.ChildAsync();
        var a = SharedVm.EndpointIn(await first.ExpectAsync("vm bind 20", "vm bound"));
        var aBuffer = Id(await first.ExpectAsync($"vm buffer 20 {Bytes} 11 r", "vm buffer"));
        var b = SharedVm.EndpointIn(await second.ExpectAsync("vm bind 21", "vm bound"));
        var bBuffer = Id(await second.ExpectAsync($"vm buffer 21 {Bytes} 0 w", "vm buffer"));
        await BlockInReceiveAsync(first, a, 20);
        await BlockInReceiveAsync(second, b, 21);
        using var requester = Shared.Vm.Bind(owner: "requester");

        // Three processes: the requester here, A in the first child, B in the second.
        Assert.Equal(IpcStatus.Ok, requester.VCopy(a, new(aBuffer), b, new(bBuffer), Bytes));
        await second.ExpectAsync($"vm sum 21 {bBuffer}", $"vm sum {CopyPattern.ChecksumOf(Bytes, 11)}");

        // Two processes: a party here (blocked in its receive) and one in a child, the requester here.
        using var local = Shared.Vm.Bind(owner: "local party");
        var localBuffer = Shared.Vm.AllocateCopyBuffer(Bytes);
        CopyPattern.Fill(localBuffer.Span, 13);
        var localId = local.RegisterBuffer(localBuffer, BufferAccess.Read);
        var receiving = Task.Factory.StartNew(() => local.Receive(Endpoint.Any, out _, SharedVm.Patience),
            TaskCreationOptions.LongRunning);
        await Shared.AwaitStateAsync(local.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Ok, requester.VCopy(local.Endpoint, new(localId), b, new(bBuffer), Bytes));
        await second.ExpectAsync($"vm sum 21 {bBuffer}", $"vm sum {CopyPattern.ChecksumOf(Bytes, 13)}");

        // The requester in a child, the parties here and in the other child.
        first.Send($"vm vcopy 22 {local.Endpoint.Value} {localId} {b.Value} {bBuffer} {Bytes}");
        Assert.Equal("vm vcopy Ok", await first.NextReplyAsync());
        Assert.Equal(IpcStatus.Ok, requester.Send(local.Endpoint, new Message(1), SharedVm.Patience));
        Assert.Equal(IpcStatus.Ok, await receiving.WaitAsync(SharedVm.Patience));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_buffer_a_copy_cannot_reach_or_use_fails_with_the_rulebook_status()
    {
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        var readOnly = Id(await child.ExpectAsync("vm buffer 20 4096 1 r", "vm buffer"));
        await BlockInReceiveAsync(child, remote, 20);
        using var here = Shared.Vm.Bind(owner: "requester");
        var own = here.RegisterBuffer(Shared.Vm.AllocateCopyBuffer(4096), BufferAccess.ReadWrite);

        Assert.Equal(IpcStatus.CallDenied, here.VCopy(Endpoint.Self, new(own), remote, new(readOnly), 64));
        Assert.Contains("without Write access", here.LastError);
        Assert.Equal(IpcStatus.Range, here.VCopy(remote, new(readOnly, 4000), Endpoint.Self, new(own), 200));
        Assert.Contains("lies outside buffer", here.LastError);
        Assert.Equal(IpcStatus.Range, here.VCopy(remote, new(readOnly + 5), Endpoint.Self, new(own), 8));
        Assert.Contains("copy window", here.LastError);

        // A buffer of ordinary memory is reachable only from its own process.
        using var party = Shared.Vm.Bind(owner: "party with a plain array");
        var plain = party.RegisterBuffer(new byte[4096], BufferAccess.ReadWrite);
        var receiving = Task.Factory.StartNew(() => party.Receive(Endpoint.Any, out _, SharedVm.Patience),
            TaskCreationOptions.LongRunning);
        await Shared.AwaitStateAsync(party.Endpoint, "RECEIVING");
        child.Send($"vm vcopy 21 {party.Endpoint.Value} {plain} {remote.Value} {readOnly} 8");
        Assert.Equal("vm vcopy Range", await child.NextReplyAsync());
        Assert.Equal(IpcStatus.Ok, here.Send(party.Endpoint, new Message(1), SharedVm.Patience));
        Assert.Equal(IpcStatus.Ok, await receiving.WaitAsync(SharedVm.Patience));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_party_whose_process_is_killed_mid_copy_ends_the_copy_with_DstDied()
    {
        const int big = 4 * 1024 * 1024;
        var child = await Shared.ChildAsync();
        var remote = SharedVm.EndpointIn(await child.ExpectAsync("vm bind 20", "vm bound"));
        var target = Id(await child.ExpectAsync($"vm buffer 20 {big} 0 w", "vm buffer"));
        await BlockInReceiveAsync(child, remote, 20);
        using var here = Shared.Vm.Bind(owner: "requester");
        var own = here.RegisterBuffer(Shared.Vm.AllocateCopyBuffer(big), BufferAccess.Read);

        // After the first chunk, SIGKILL the destination's process and wait until this process reaped it.
        var chunks = 0;
        Shared.Vm.Kernel.ChunkCopied = () =>
        {
            if (++chunks != 1) return;
            child.KillHardAsync().Wait(SharedVm.Patience);
            SharedVm.AwaitAsync(() => Shared.ProcOf(remote) is null, () => $"{remote} was not reaped")
                .Wait(SharedVm.Patience);
        };
        Assert.Equal(IpcStatus.DstDied, here.VCopy(Endpoint.Self, new(own), remote, new(target), big));
        Assert.Contains("ended during the vcopy", here.LastError);
        Assert.True(chunks < big / 65536, $"the copy went on for {chunks} chunks after its destination died");

        // The requester is free again: a copy between two live endpoints here works.
        Shared.Vm.Kernel.ChunkCopied = null;
        using var party = Shared.Vm.Bind(owner: "party");
        var plain = party.RegisterBuffer(new byte[64], BufferAccess.Write);
        var receiving = Task.Factory.StartNew(() => party.Receive(Endpoint.Any, out _, SharedVm.Patience),
            TaskCreationOptions.LongRunning);
        await Shared.AwaitStateAsync(party.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Ok, here.VCopy(Endpoint.Self, new(own), party.Endpoint, new(plain), 64));
        Assert.Equal(IpcStatus.Ok, here.Send(party.Endpoint, new Message(1), SharedVm.Patience));
        Assert.Equal(IpcStatus.Ok, await receiving.WaitAsync(SharedVm.Patience));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_requester_whose_process_is_killed_mid_copy_leaves_no_party_pinned()
    {
        const int big = 4 * 1024 * 1024;
        var child = await Shared.ChildAsync();
        using var source = Shared.Vm.Bind(owner: "source");
        using var destination = Shared.Vm.Bind(owner: "destination");
        var sourceBuffer = Shared.Vm.AllocateCopyBuffer(big);
        CopyPattern.Fill(sourceBuffer.Span, 1);
        var from = source.RegisterBuffer(sourceBuffer, BufferAccess.Read);
        var destinationBuffer = Shared.Vm.AllocateCopyBuffer(big);
        var to = destination.RegisterBuffer(destinationBuffer, BufferAccess.Write);
        var receivers = new[] { source, destination }.Select(party => Task.Factory.StartNew(
            () => party.Receive(Endpoint.Any, out _, SharedVm.Patience), TaskCreationOptions.LongRunning)).ToArray();
        await Shared.AwaitStateAsync(source.Endpoint, "RECEIVING");
        await Shared.AwaitStateAsync(destination.Endpoint, "RECEIVING");

        // The child copies 4 MiB blocks (64 chunks each) between the two parties here until it is killed, almost
        // surely between two chunks of one copy, with both parties pinned by it.
        await child.ExpectAsync(
            $"vm vcopyloop 20 {source.Endpoint.Value} {from} {destination.Endpoint.Value} {to} {big}",
            "vm vcopyloop started");
        var requester = await AwaitBoundAsync(20);
        // Copies are running once the destination's first byte holds the source's (1); the loop then spends
        // nearly all its time inside copies.
        await SharedVm.AwaitAsync(() => Volatile.Read(ref destinationBuffer.Span[0]) == 1, () => "no copy started");
        await child.KillHardAsync();
        await SharedVm.AwaitAsync(() => Shared.ProcOf(requester) is null, () => $"{requester} was not reaped");

        // Neither party stays pinned: a message reaches each receive, and a copy naming them is not Busy.
        using var here = Shared.Vm.Bind(owner: "here");
        Assert.Equal(IpcStatus.Ok, here.VCopy(source.Endpoint, new(from), destination.Endpoint, new(to), 64));
        foreach (var party in new[] { source, destination })
            Assert.Equal(IpcStatus.Ok, here.Send(party.Endpoint, new Message(1), SharedVm.Patience));
        Assert.Equal([IpcStatus.Ok, IpcStatus.Ok], await Task.WhenAll(receivers).WaitAsync(SharedVm.Patience));
    }

    private async Task<Endpoint> AwaitBoundAsync(int slot) =>
        await Shared.Vm.WhenBoundAsync(slot, SharedVm.Patience);

    // The child's endpoint blocks in receive(ANY) on its own thread: a vcopy party must be blocked.
    private async Task BlockInReceiveAsync(HostProcess child, Endpoint endpoint, int slot)
    {
        child.Send($"vm receive {slot} any 60000");
        await Shared.AwaitStateAsync(endpoint, "RECEIVING");
    }

    private static int Id(string[] reply) => int.Parse(reply[^1]);
}
