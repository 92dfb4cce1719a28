using Akka.Actor;
using M3Actors.Examples.Minix;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Tests.Examples;

/// <summary>VFS alone: probe endpoints stand in for the disk driver and for RS.</summary>
public sealed class VfsServerTests(ITestOutputHelper output) : MinixTestKit(output)
{
    private const int Blocks = 16;
    private readonly byte[] _device = new byte[Blocks * BlockSize];
    private IActorRef _vfs = ActorRefs.Nobody;

    private async Task StartVfsAsync()
    {
        _vfs = Vm.ActorOf(Props.Create(() => new VfsServer(Blocks, null)), "vfs");
        await Vm.WhenBoundAsync(VfsSlot, Patience);
    }

    [Fact(Timeout = 20_000)]
    public async Task Written_bytes_read_back_exactly_in_pieces_of_any_size()
    {
        await StartVfsAsync();
        _ = ServeDisk(_device);
        var libc = Client();
        var fd = await libc.OpenAsync("notes", OCreat);
        Assert.True(fd >= 0, Describe(fd));
        var first = Fill(libc, 1500, key: 1);
        Assert.Equal(1500, await libc.WriteAsync(fd, 1500));
        var second = Fill(libc, 700, key: 2);
        Assert.Equal(700, await libc.WriteAsync(fd, 700));   // starts mid-block: read-modify-write of block 1
        Assert.Equal(Ok, await libc.CloseAsync(fd));

        fd = await libc.OpenAsync("notes", 0);
        Assert.Equal(2200, await libc.ReadAsync(fd, 4000));    // a short read: the file ends first
        Assert.Equal([.. first, .. second], libc.Memory[..2200]);
        Assert.Equal(0, await libc.ReadAsync(fd, 10));        // end of file
        Assert.Equal(2200, await libc.StatAsync("notes"));
    }

    [Fact(Timeout = 20_000)]
    public async Task Open_stat_close_getdents_and_unknown_requests_answer_with_minix_codes()
    {
        await StartVfsAsync();
        var libc = Client();
        Assert.Equal(NoEntry, await libc.OpenAsync("missing", 0));
        Assert.Equal(NoEntry, await libc.StatAsync("missing"));
        Assert.Equal(BadFd, await libc.ReadAsync(42, 10));
        Assert.Equal(BadFd, await libc.CloseAsync(42));
        var a = await libc.OpenAsync("a", OCreat);
        var b = await libc.OpenAsync("b", OCreat);
        Assert.Equal((3, 4), (a, b));                         // 0..2 are stdin, stdout, stderr
        Assert.Equal(0, await libc.StatAsync("a"));
        var (status, names) = await libc.ListAsync();
        Assert.Equal(Ok, status);
        Assert.Equal(["a", "b"], names);
        Assert.Equal(NoSys, await libc.CallAsync(Vfs, Request(99)));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_read_is_a_deferred_reply_the_client_waits_while_vfs_waits_for_the_disk()
    {
        await StartVfsAsync();
        var disk = Vm.Bind(DiskSlot, "probe disk");
        var deviceBuffer = disk.RegisterBuffer(_device, BufferAccess.ReadWrite);
        var libc = Client();
        var fd = await libc.OpenAsync("f", OCreat);
        var write = libc.WriteAsync(fd, 100);
        Serve(disk, deviceBuffer, await TakeAsync(disk));
        Assert.Equal(100, await write);

        var read = Client();
        var readFd = await read.OpenAsync("f", 0);
        var reading = read.ReadAsync(readFd, 100);
        var request = await TakeAsync(disk);

        // VFS has taken the client's request and is itself waiting for the disk: both are blocked.
        var client = Vm.Snapshot().Procs.Single(p => p.Owner == "client" && p.State.StartsWith("SENDREC"));
        Assert.Equal(Vfs, client.GetFrom);
        await AwaitWaitingOn(Vfs, "SENDREC", Disk);
        Assert.False(reading.IsCompleted);
        Serve(disk, deviceBuffer, in request);
        Assert.Equal(100, await reading);
    }

    [Theory(Timeout = 20_000)]
    [InlineData("taken")]   // the driver dies after taking VFS's request: VFS sees SrcDied
    [InlineData("queued")]  // the driver dies with the request still queued: DstDied
    public async Task A_driver_that_dies_under_a_request_gets_it_again_once_RS_says_it_is_back(string when)
    {
        await StartVfsAsync();
        var rs = Vm.Bind(RsSlot, "probe rs");
        var disk = Vm.Bind(DiskSlot, "probe disk");
        var deviceBuffer = disk.RegisterBuffer(_device, BufferAccess.ReadWrite);
        var libc = Client();
        var fd = await libc.OpenAsync("f", OCreat);
        var written = Fill(libc, 300, key: 7);
        var write = libc.WriteAsync(fd, 300);
        Serve(disk, deviceBuffer, await TakeAsync(disk));
        Assert.Equal(300, await write);
        Array.Clear(libc.Memory);
        fd = await libc.OpenAsync("f", 0);

        var reading = libc.ReadAsync(fd, 300);
        var lost = when == "taken" ? (await TakeAsync(disk)).GetInt(0) : -1;
        if (when == "queued") await AwaitQueue(Disk, Vfs);
        disk.Dispose();                                                     // the crash: the endpoint unbinds

        await AwaitWaitingOn(Vfs, "RECEIVING", Rs);                         // parked: only RS may reach VFS now
        Assert.False(reading.IsCompleted);                                  // and the client knows nothing
        using var reborn = Vm.Bind(DiskSlot, "probe disk, incarnation 2");
        Assert.Equal(Disk, reborn.Endpoint);                                // a system slot: the same endpoint
        var buffer = reborn.RegisterBuffer(_device, BufferAccess.ReadWrite);
        Assert.Equal(IpcStatus.Ok, rs.Notify(Vfs));

        var again = await TakeAsync(reborn);
        Assert.Equal(BdevRead, again.Type);
        if (lost >= 0) Assert.Equal(lost, again.GetInt(0));                // the very request that was lost
        Serve(reborn, buffer, in again);
        Assert.Equal(300, await reading);
        Assert.Equal(written, libc.Memory[..300]);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_notify_from_RS_with_nothing_parked_changes_nothing()
    {
        await StartVfsAsync();
        _ = ServeDisk(_device);
        using var rs = Vm.Bind(RsSlot, "probe rs");
        Assert.Equal(IpcStatus.Ok, rs.Notify(Vfs));
        var libc = Client();
        var fd = await libc.OpenAsync("f", OCreat);
        Assert.Equal(10, await libc.WriteAsync(fd, 10));
        Assert.Equal(10, await libc.StatAsync("f"));
    }

    [Fact(Timeout = 20_000)]
    public async Task Told_to_crash_it_dies_on_the_next_request_and_that_client_sees_SrcDied()
    {
        await StartVfsAsync();
        _vfs.Tell(new CrashOnNextRequest(), TestActor);
        Assert.Equal(Vfs, ExpectMsg<CrashArmed>(Patience).Server);
        var libc = Client();

        Assert.Equal((int)IpcStatus.SrcDied, await libc.StatAsync("anything"));
    }
}
