using Akka.Actor;
using M3Actors.Examples.Minix;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Tests.Examples;

/// <summary>The disk driver alone: a probe client stands in for VFS.</summary>
public sealed class DiskDriverTests(ITestOutputHelper output) : MinixTestKit(output)
{
    private readonly BlockDevice _device = new(8);

    private IActorRef _disk = ActorRefs.Nobody;

    private async Task<(EndpointHandle Vfs, byte[] Memory, int Buffer)> StartAsync()
    {
        _disk = Vm.ActorOf(Props.Create(() => new DiskDriver(_device, null)), "disk");
        await Vm.WhenBoundAsync(DiskSlot, Patience);
        var vfs = Vm.Bind(owner: "probe vfs");
        var memory = new byte[2 * BlockSize];
        return (vfs, memory, vfs.RegisterBuffer(memory, BufferAccess.ReadWrite));
    }

    [Fact(Timeout = 20_000)]
    public async Task Read_copies_the_block_into_the_callers_buffer_at_the_offset_it_names()
    {
        var (vfs, memory, buffer) = await StartAsync();
        for (var i = 0; i < BlockSize; i++) _device.Bytes[3 * BlockSize + i] = (byte)(i * 7 + 1);

        var (status, reply) = await SendRecOnThread(vfs, Disk, Request(BdevRead, 3, buffer, BlockSize), Patience);

        Assert.Equal((IpcStatus.Ok, Ok, BlockSize), (status, reply.Type, reply.GetInt(0)));
        Assert.Equal(_device.Bytes.AsSpan(3 * BlockSize, BlockSize).ToArray(), memory[BlockSize..]);
        Assert.All(memory[..BlockSize], b => Assert.Equal(0, b));
    }

    [Fact(Timeout = 20_000)]
    public async Task Write_copies_the_callers_buffer_onto_the_block()
    {
        var (vfs, memory, buffer) = await StartAsync();
        Random.Shared.NextBytes(memory);

        var (status, reply) = await SendRecOnThread(vfs, Disk, Request(BdevWrite, 5, buffer), Patience);

        Assert.Equal((IpcStatus.Ok, Ok), (status, reply.Type));
        Assert.Equal(memory[..BlockSize], _device.Bytes.AsSpan(5 * BlockSize, BlockSize).ToArray());
    }

    [Theory(Timeout = 20_000)]
    [InlineData(BdevRead, -1, Invalid)]
    [InlineData(BdevWrite, 8, Invalid)]
    [InlineData(99, 0, NoSys)]
    public async Task Bad_requests_get_an_error_and_touch_nothing(int type, int block, int expected)
    {
        var (vfs, _, buffer) = await StartAsync();

        var (status, reply) = await SendRecOnThread(vfs, Disk, Request(type, block, buffer), Patience);

        Assert.Equal((IpcStatus.Ok, expected), (status, reply.Type));
        Assert.All(_device.Bytes, b => Assert.Equal(0, b));
    }

    [Fact(Timeout = 20_000)]
    public async Task Told_to_crash_it_dies_half_way_through_the_next_write_and_the_caller_sees_SrcDied()
    {
        var (vfs, memory, buffer) = await StartAsync();
        Array.Fill(memory, (byte)0xAB);
        _disk.Tell(new CrashOnNextRequest(), TestActor);
        Assert.Equal(Disk, ExpectMsg<CrashArmed>(Patience).Server);

        var (status, _) = await SendRecOnThread(vfs, Disk, Request(BdevWrite, 2, buffer), Patience);

        Assert.Equal(IpcStatus.SrcDied, status);
        var block = _device.Bytes.AsSpan(2 * BlockSize, BlockSize).ToArray();
        Assert.All(block[..(BlockSize / 2)], b => Assert.Equal(0xAB, b));
        Assert.All(block[(BlockSize / 2)..], b => Assert.Equal(0, b));
    }
}
