using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Native;
using M3Actors.Transport.Processes;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// Every way an attach can fail gives its own <see cref="ArenaFailure"/>, and never harms who is attached.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class ArenaErrorTests : IDisposable
{
    private const uint OtherUid = 54321;
    private readonly ArenaDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task Missing_arena_without_create_is_NotFound()
    {
        await Task.Yield();
        AssertFails(ArenaFailure.NotFound, _dir.Options() with { CreateIfMissing = false }, "creation was not asked");
    }

    [Fact(Timeout = 30_000)]
    public async Task Bad_magic_is_Corrupt()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        PatchHeader(path, h => h.Magic = 0x1234, fixChecksum: true);
        AssertFails(ArenaFailure.Corrupt, _dir.Options(), "bad magic");
    }

    [Fact(Timeout = 30_000)]
    public async Task Damaged_header_is_Corrupt_by_checksum()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        PatchHeader(path, h => h.CreatedAtUnixMs ^= 1, fixChecksum: false);
        AssertFails(ArenaFailure.Corrupt, _dir.Options(), "checksum");
    }

    [Fact(Timeout = 30_000)]
    public async Task Header_for_another_vm_id_is_Corrupt()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        PatchHeader(path, h => h.VmId = 9, fixChecksum: true);
        AssertFails(ArenaFailure.Corrupt, _dir.Options(), "DRVS 1 VM 9");
    }

    [Fact(Timeout = 30_000)]
    public async Task File_shorter_than_the_header_is_Truncated()
    {
        await Task.Yield();
        Directory.CreateDirectory(_dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = _dir.Options().FilePath;
        File.WriteAllBytes(path, new byte[100]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AssertFails(ArenaFailure.Truncated, _dir.Options() with { AttachTimeout = TimeSpan.FromMilliseconds(100) },
            "fewer than the 256-byte header");
    }

    [Fact(Timeout = 30_000)]
    public async Task File_shorter_than_its_layout_is_Truncated()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        using (var f = new FileStream(path, FileMode.Open)) f.SetLength(4096);
        AssertFails(ArenaFailure.Truncated, _dir.Options(), "its layout needs");
    }

    [Fact(Timeout = 30_000)]
    public async Task Creator_dead_before_initialising_is_Incomplete()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        var dead = DeadPid();
        PatchHeader(path, h =>
        {
            h.Initialised = 0;
            h.CreatorPid = dead;
            h.CreatorStartTime = 1;
        }, fixChecksum: true);
        AssertFails(ArenaFailure.Incomplete, _dir.Options(), $"its creator (pid {dead}) died");
    }

    [Fact(Timeout = 30_000)]
    public async Task Creation_that_never_finishes_is_Incomplete_after_the_attach_timeout()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        PatchHeader(path, h =>
        {
            h.Initialised = 0;
            h.CreatorPid = Environment.ProcessId;
            h.CreatorStartTime = ProcessIdentity.Self.StartTime;
        }, fixChecksum: true);
        AssertFails(ArenaFailure.Incomplete, _dir.Options() with { AttachTimeout = TimeSpan.FromMilliseconds(100) },
            "not initialised in time");
    }

    [Fact(Timeout = 30_000)]
    public async Task Other_layout_version_is_VersionMismatch()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        PatchHeader(path, h => h.LayoutVersion = ArenaLayout.Version + 1, fixChecksum: true);
        AssertFails(ArenaFailure.VersionMismatch, _dir.Options(), $"layout version {ArenaLayout.Version + 1}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Other_sizes_are_LayoutMismatch_and_the_attached_process_carries_on()
    {
        await Task.Yield();
        using var attached = Arena.Attach(_dir.Options());
        Volatile.Write(ref attached.SlotWord(1, 1), 11);
        AssertFails(ArenaFailure.LayoutMismatch, _dir.Options(processes: 4), "4 processes");
        AssertUnharmed(attached);
    }

    [Fact(Timeout = 30_000)]
    public async Task Same_vm_id_with_another_name_is_NameMismatch_and_harms_nobody()
    {
        await Task.Yield();
        using var attached = Arena.Attach(_dir.Options(name: "fs"));
        Volatile.Write(ref attached.SlotWord(1, 1), 11);
        AssertFails(ArenaFailure.NameMismatch, _dir.Options(name: "pm"), "named 'fs' here, not 'pm'");
        AssertUnharmed(attached);
    }

    [RootFact(Timeout = 30_000)]
    public async Task Another_users_file_is_ForeignOwner()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        Assert.Equal(0, Chown(path, OtherUid, OtherUid));
        AssertFails(ArenaFailure.ForeignOwner, _dir.Options(), $"belongs to uid {OtherUid}");
    }

    [RootFact(Timeout = 30_000)]
    public async Task Another_users_directory_is_ForeignOwner()
    {
        await Task.Yield();
        CreateAndLeave();
        Assert.Equal(0, Chown(_dir.Path, OtherUid, OtherUid));
        AssertFails(ArenaFailure.ForeignOwner, _dir.Options(), "directory belongs to uid", aboutDirectory: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task File_open_to_others_is_UnsafePermissions()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        AssertFails(ArenaFailure.UnsafePermissions, _dir.Options(), "mode is 640");
    }

    [Fact(Timeout = 30_000)]
    public async Task Directory_open_to_others_is_UnsafePermissions()
    {
        await Task.Yield();
        CreateAndLeave();
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        AssertFails(ArenaFailure.UnsafePermissions, _dir.Options(), "directory's mode is 755", aboutDirectory: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task Symlinked_arena_is_UnsafePermissions()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        File.Move(path, path + ".real");
        File.CreateSymbolicLink(path, path + ".real");
        AssertFails(ArenaFailure.UnsafePermissions, _dir.Options() with { CreateIfMissing = false },
            "not a plain file");
    }

    [Fact(Timeout = 30_000)]
    public async Task Full_process_table_is_ProcessTableFull_and_the_members_stay()
    {
        await Task.Yield();
        using var a = Arena.Attach(_dir.Options(processes: 2));
        using var b = Arena.Attach(_dir.Options(processes: 2));
        AssertFails(ArenaFailure.ProcessTableFull, _dir.Options(processes: 2), "all 2 process-table entries");
        Assert.Equal(ProcessState.Alive, a.Processes.ClaimOf(a.ProcessIndex).State);
        Assert.Equal(ProcessState.Alive, a.Processes.ClaimOf(b.ProcessIndex).State);
        b.Dispose();
        using var c = Arena.Attach(_dir.Options(processes: 2));
        Assert.Equal(b.ProcessIndex, c.ProcessIndex);
    }

    [Fact(Timeout = 60_000)]
    public async Task Attach_lock_held_by_a_live_process_is_AttachTimedOut()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        using var holder = HostProcess.Start();
        PatchHeader(path, h => h.AttachLock = holder.Pid, fixChecksum: false);
        AssertFails(ArenaFailure.AttachTimedOut, _dir.Options() with { AttachTimeout = TimeSpan.FromMilliseconds(100) },
            $"the attach lock stayed with pid {holder.Pid}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Attach_lock_left_by_a_dead_joiner_is_taken_over()
    {
        await Task.Yield();
        var path = CreateAndLeave();
        PatchHeader(path, h => h.AttachLock = DeadPid(), fixChecksum: false);
        using (var arena = Arena.Attach(_dir.Options()))
        {
            Assert.Equal(ProcessState.Alive, arena.Processes.ClaimOf(arena.ProcessIndex).State);
        }
        PatchHeader(path, h => Assert.Equal(0, h.AttachLock), fixChecksum: false);
    }

    private string CreateAndLeave()
    {
        using var arena = Arena.Attach(_dir.Options());
        return arena.Path;
    }

    private static void AssertFails(ArenaFailure reason, ArenaOptions options, string messagePart,
        bool aboutDirectory = false)
    {
        var e = Assert.Throws<ArenaException>(() => Arena.Attach(options));
        Assert.Equal(reason, e.Reason);
        Assert.Contains(messagePart, e.Message);
        Assert.Equal(aboutDirectory ? options.Directory : options.FilePath, e.Path);
    }

    private static void AssertUnharmed(Arena attached)
    {
        var claim = attached.Processes.ClaimOf(attached.ProcessIndex);
        Assert.Equal(ProcessState.Alive, claim.State);
        Assert.Equal(Environment.ProcessId, claim.Pid);
        Assert.Equal(11, Volatile.Read(ref attached.SlotWord(1, 1)));
        for (var i = 0; i < attached.Processes.Size; i++)
        {
            if (i != attached.ProcessIndex) Assert.Equal(ProcessState.Free, attached.Processes.ClaimOf(i).State);
        }
    }

    private static unsafe void PatchHeader(string path, Action<ArenaHeader> patch, bool fixChecksum)
    {
        var bytes = new byte[ArenaLayout.HeaderSize];
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.ReadExactly(bytes);
        fixed (byte* p = bytes)
        {
            var header = new ArenaHeader(p);
            patch(header);
            if (fixChecksum) header.Checksum = header.ComputeChecksum();
        }
        file.Position = 0;
        file.Write(bytes);
    }

    /// <summary>The pid of a process that has exited and been reaped.</summary>
    private static int DeadPid()
    {
        using var process = Process.Start("true") ?? throw new InvalidOperationException("could not start 'true'");
        Assert.True(process.WaitForExit(HostProcess.Patience));
        return process.Id;
    }

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
