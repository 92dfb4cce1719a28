using System.Runtime.Versioning;
using M3Actors.Transport.Arena;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>Creating and attaching an arena: one creator among racers, owner-only files, the shared mapping.</summary>
[SupportedOSPlatform("linux")]
public sealed class ArenaAttachTests : IDisposable
{
    private readonly ArenaDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task Create_then_attach_share_one_mapping_with_owner_only_permissions()
    {
        await Task.Yield();
        using var first = Arena.Attach(_dir.Options());
        using var second = Arena.Attach(_dir.Options());
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Path, second.Path);
        Assert.Equal(Path.Combine(_dir.Path, "drvs1-vm1.arena"), first.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(_dir.Path));
        Assert.Equal(first.Layout.TotalSize, new FileInfo(first.Path).Length);

        Volatile.Write(ref first.SlotWord(3, 5), 1234);
        Assert.Equal(1234, Volatile.Read(ref second.SlotWord(3, 5)));
        Assert.NotEqual(first.ProcessIndex, second.ProcessIndex);
    }

    [Fact(Timeout = 30_000)]
    public async Task Racing_creators_make_exactly_one_arena()
    {
        using var start = new Barrier(6);
        var attachments = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(10));
            return Arena.Attach(_dir.Options());
        }, TaskCreationOptions.LongRunning)));
        try
        {
            Assert.Single(attachments, a => a.Created);
            Assert.Equal(6, attachments.Select(a => a.ProcessIndex).Distinct().Count());
            Volatile.Write(ref attachments[0].SlotWord(0, 0), 77);
            Assert.All(attachments, a => Assert.Equal(77, Volatile.Read(ref a.SlotWord(0, 0))));
        }
        finally
        {
            foreach (var a in attachments) a.Dispose();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Two_vms_get_two_files()
    {
        await Task.Yield();
        using var one = Arena.Attach(_dir.Options(vmId: 1, name: "one"));
        using var two = Arena.Attach(_dir.Options(vmId: 2, name: "two"));
        Assert.NotEqual(one.Path, two.Path);
        Volatile.Write(ref one.SlotWord(0, 0), 5);
        Assert.Equal(0, Volatile.Read(ref two.SlotWord(0, 0)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bad_options_are_argument_errors()
    {
        await Task.Yield();
        Assert.Throws<ArgumentException>(() => Arena.Attach(_dir.Options(name: new string('x', 64))));
        Assert.Throws<ArgumentException>(() => Arena.Attach(_dir.Options(processes: 0)));
        Assert.Throws<ArgumentException>(() => Arena.Attach(_dir.Options() with
        {
            Layout = ArenaLayout.Default with { SlotCount = 0 },
        }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Arena.Attach(_dir.Options() with { VmId = -1 }));
    }

    [Fact(Timeout = 30_000)]
    public async Task Slot_words_outside_the_layout_are_refused()
    {
        await Task.Yield();
        using var arena = Arena.Attach(_dir.Options());
        Assert.Throws<ArgumentOutOfRangeException>(() => arena.SlotWord(arena.Layout.SlotCount, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => arena.SlotWord(0, arena.Layout.SlotRecordSize / 4));
    }
}
