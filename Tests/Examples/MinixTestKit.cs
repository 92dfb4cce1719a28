using M3Actors.Examples.Minix;
using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Tests.Examples;

/// <summary>
/// Helpers for testing the Minix servers alone: a client with the shells' own <see cref="Libc"/>, probe endpoints
/// that stand in for a server the one under test talks to, and a probe disk that serves requests by hand.
/// </summary>
public abstract class MinixTestKit(ITestOutputHelper output) : IpcTestKit(output)
{
    /// <summary>A client process: a fresh user endpoint with the libc the shells use.</summary>
    protected Libc Client(int memory = 4096) => new(Vm.Bind(owner: "client"), memory, Patience, CancellationToken.None);

    /// <summary>A sendrec request carrying <paramref name="text"/> (PM_EXEC's command line).</summary>
    protected static Message Text(int type, string text)
    {
        var m = new Message(type);
        m.SetText(text);
        return m;
    }

    /// <summary>Waits until <paramref name="e"/>'s /proc state starts with <paramref name="state"/> and it waits on
    /// <paramref name="partner"/>.</summary>
    protected Task AwaitWaitingOn(Endpoint e, string state, Endpoint partner) =>
        AwaitAssertAsync(() =>
        {
            var p = ProcOf(e);
            Assert.NotNull(p);
            Assert.StartsWith(state, p.State);
            Assert.Equal(partner, p.GetFrom);
        }, Patience);

    /// <summary>Takes the next request on a probe disk (blocking receive on its own thread).</summary>
    protected static async Task<Message> TakeAsync(EndpointHandle disk)
    {
        var (status, request) = await ReceiveOnThread(disk, Endpoint.Any, Patience);
        Assert.Equal(IpcStatus.Ok, status);
        return request;
    }

    /// <summary>Serves one taken disk request over <paramref name="device"/> as the real driver does.</summary>
    protected static void Serve(EndpointHandle disk, int deviceBuffer, in Message request)
    {
        var at = new BufferAddress(deviceBuffer, request.GetInt(0) * BlockSize);
        var caller = new BufferAddress(request.GetInt(1), request.GetInt(2));
        var status = request.Type == BdevRead
            ? disk.VCopy(Endpoint.Self, at, request.Source, caller, BlockSize)
            : disk.VCopy(request.Source, caller, Endpoint.Self, at, BlockSize);
        Assert.Equal(IpcStatus.Ok, status);
        Assert.Equal(IpcStatus.Ok, disk.Reply(request.Source, Answer(Ok, BlockSize)));
    }

    /// <summary>A probe disk on the disk slot, serving <paramref name="device"/> until the VM ends.</summary>
    protected Task ServeDisk(byte[] device) => Vm.StartThread((disk, _) =>
    {
        var buffer = disk.RegisterBuffer(device, BufferAccess.ReadWrite);
        while (disk.Receive(Endpoint.Any, out var request) == IpcStatus.Ok) Serve(disk, buffer, in request);
    }, DiskSlot, "probe disk");

    /// <summary>Fills the start of <paramref name="libc"/>'s memory with a pattern and returns a copy of it.</summary>
    protected static byte[] Fill(Libc libc, int count, int key)
    {
        for (var i = 0; i < count; i++) libc.Memory[i] = Shell.PatternAt(key, i);
        return libc.Memory[..count];
    }
}
