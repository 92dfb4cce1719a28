using System.IO.MemoryMappedFiles;
using System.Runtime.Versioning;
using M3Actors.Transport.Native;

namespace M3Actors.Transport.Arena;

/// <summary>
/// An arena file opened and mapped shared (MemoryMappedFile maps a file MAP_SHARED on Linux, so every process sees
/// the same bytes), its header written (creator) or checked (attacher). Knows nothing of the process table.
/// </summary>
internal sealed unsafe class ArenaFile : IDisposable
{
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode0700 = FileMode0600 | UnixFileMode.UserExecute;

    private readonly FileStream _file;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private bool _disposed;

    private ArenaFile(string path, FileStream file, long length, bool created)
    {
        Path = path;
        _file = file;
        _map = MemoryMappedFile.CreateFromFile(file, null, length, MemoryMappedFileAccess.ReadWrite,
            HandleInheritability.None, leaveOpen: true);
        _view = _map.CreateViewAccessor(0, length);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        Base = pointer + _view.PointerOffset;
        Length = length;
        Created = created;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Byte 0 of the mapping.</summary>
    public byte* Base { get; }

    /// <summary>Bytes mapped.</summary>
    public long Length { get; }

    /// <summary>True when this process created the file.</summary>
    public bool Created { get; }

    /// <summary>The header at offset 0.</summary>
    public ArenaHeader Header => new(Base);

    /// <summary>
    /// Creates the arena file (exactly one of racing creators wins, by O_EXCL) or attaches to the existing one.
    /// </summary>
    public static ArenaFile Open(ArenaOptions options)
    {
        LinuxSys.EnsureSupported();
        // Repeated in the form the platform analyzer recognises as a guard for the Unix-only calls below.
        if (!OperatingSystem.IsLinux()) throw LinuxSys.NotLinux();
        options.Validate();
        EnsurePrivateDirectory(options.Directory);
        var path = options.FilePath;
        if (options.CreateIfMissing && TryCreate(path, out var created))
        {
            return Initialise(path, created, options);
        }
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite | FileShare.Delete,
            });
        }
        catch (FileNotFoundException)
        {
            throw new ArenaException(ArenaFailure.NotFound, path,
                $"no arena for DRVS {options.DrvsId} VM {options.VmId} and creation was not asked for.");
        }
        try
        {
            var opened = FileStatus.Of(file.SafeFileHandle);
            // FileStream follows symbolic links: the name itself must be the very file opened, not a link to it.
            var named = FileStatus.Of(path);
            if (!named.IsRegular || named.Inode != opened.Inode)
            {
                throw new ArenaException(ArenaFailure.UnsafePermissions, path, "not a plain file (a link?).");
            }
            CheckPrivate(path, opened, isDirectory: false);
            return Attach(path, file, options);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps and closes (the file stays for the other processes).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _file.Dispose();
    }

    [SupportedOSPlatform("linux")]
    private static bool TryCreate(string path, out FileStream file)
    {
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite,
                Share = FileShare.ReadWrite | FileShare.Delete, UnixCreateMode = FileMode0600,
            });
            return true;
        }
        // On Unix, .NET reports an unmapped errno as the HResult: EEXIST means O_EXCL lost the race.
        catch (IOException e) when (e.HResult == LinuxSys.EEXIST)
        {
            // Another process created it first (O_EXCL): attach to theirs.
            file = null!;
            return false;
        }
    }

    private static ArenaFile Initialise(string path, FileStream file, ArenaOptions options)
    {
        var layout = options.Layout;
        ArenaFile arena;
        try
        {
            CheckPrivate(path, FileStatus.Of(file.SafeFileHandle), isDirectory: false);
            file.SetLength(layout.TotalSize);
            arena = new ArenaFile(path, file, layout.TotalSize, created: true);
        }
        catch
        {
            // Nobody can use an arena that was never initialised: remove it rather than leave a broken file.
            file.Dispose();
            File.Delete(path);
            throw;
        }
        var h = arena.Header;
        var self = ProcessIdentity.Self;
        h.CreatorPid = self.Pid;
        h.CreatorStartTime = self.StartTime;
        h.Magic = ArenaHeader.MagicValue;
        h.LayoutVersion = ArenaLayout.Version;
        h.HeaderSize = ArenaLayout.HeaderSize;
        h.SlotCount = layout.SlotCount;
        h.SlotRecordSize = layout.SlotRecordSize;
        h.ProcessTableSize = layout.ProcessTableSize;
        h.ProcessEntrySize = ArenaLayout.ProcessEntrySize;
        h.TotalSize = layout.TotalSize;
        h.DrvsId = options.DrvsId;
        h.VmId = options.VmId;
        h.CreatedAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        h.VmName = options.VmName;
        h.Checksum = h.ComputeChecksum();
        // Last: an attacher that sees this value sees every store above (release order).
        Volatile.Write(ref h.Initialised, ArenaHeader.InitialisedValue);
        Futex.Wake(ref h.Initialised, int.MaxValue);
        return arena;
    }

    private static ArenaFile Attach(string path, FileStream file, ArenaOptions options)
    {
        var deadline = DateTime.UtcNow + options.AttachTimeout;
        // The creator sets the full length right after O_EXCL creation: a short file is either that instant or damage.
        var spin = new SpinWait();
        while (file.Length < ArenaLayout.HeaderSize)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new ArenaException(ArenaFailure.Truncated, path,
                    $"the file has {file.Length} bytes, fewer than the {ArenaLayout.HeaderSize}-byte header.");
            }
            spin.SpinOnce();
        }
        var arena = new ArenaFile(path, file, file.Length, created: false);
        try
        {
            arena.AwaitInitialised(deadline);
            arena.CheckHeader(options);
            return arena;
        }
        catch
        {
            arena.Dispose();
            throw;
        }
    }

    private void AwaitInitialised(DateTime deadline)
    {
        var h = Header;
        while (true)
        {
            var value = Volatile.Read(ref h.Initialised);
            if (value == ArenaHeader.InitialisedValue) return;
            if (value != 0)
            {
                throw new ArenaException(ArenaFailure.Corrupt, Path, $"the initialised word holds 0x{value:X8}.");
            }
            var creator = new ProcessIdentity(Volatile.Read(ref h.CreatorPid), Volatile.Read(ref h.CreatorStartTime));
            if (creator.Pid != 0 && creator.StartTime != 0 && !creator.IsAlive)
            {
                throw new ArenaException(ArenaFailure.Incomplete, Path,
                    $"its creator (pid {creator.Pid}) died before finishing it; remove the file to start afresh.");
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new ArenaException(ArenaFailure.Incomplete, Path,
                    $"not initialised in time (creator pid {creator.Pid}); remove the file if no process uses it.");
            }
            // Short slices: a creator that dies never wakes us, so its death is noticed on the next check.
            Futex.Wait(ref h.Initialised, 0, TimeSpan.FromMilliseconds(Math.Min(left.TotalMilliseconds, 20)));
        }
    }

    private void CheckHeader(ArenaOptions options)
    {
        var h = Header;
        var layout = options.Layout;
        if (h.Magic != ArenaHeader.MagicValue) Fail(ArenaFailure.Corrupt, $"bad magic 0x{h.Magic:X16}.");
        if (h.Checksum != h.ComputeChecksum()) Fail(ArenaFailure.Corrupt, "the header checksum does not match.");
        if (h.LayoutVersion != ArenaLayout.Version)
        {
            Fail(ArenaFailure.VersionMismatch,
                $"layout version {h.LayoutVersion}, but this code reads version {ArenaLayout.Version}.");
        }
        if (h.HeaderSize != ArenaLayout.HeaderSize || h.ProcessEntrySize != ArenaLayout.ProcessEntrySize
            || h.SlotCount != layout.SlotCount || h.SlotRecordSize != layout.SlotRecordSize
            || h.ProcessTableSize != layout.ProcessTableSize || h.TotalSize != layout.TotalSize)
        {
            Fail(ArenaFailure.LayoutMismatch,
                $"its layout is {h.SlotCount} slots x {h.SlotRecordSize} B, {h.ProcessTableSize} processes; " +
                $"asked for {layout.SlotCount} x {layout.SlotRecordSize} B, {layout.ProcessTableSize} processes.");
        }
        if (Length < h.TotalSize) Fail(ArenaFailure.Truncated, $"{Length} bytes, but its layout needs {h.TotalSize}.");
        if (h.DrvsId != options.DrvsId || h.VmId != options.VmId)
        {
            Fail(ArenaFailure.Corrupt, $"it holds DRVS {h.DrvsId} VM {h.VmId}, not the ids its name says.");
        }
        if (h.VmName != options.VmName)
        {
            Fail(ArenaFailure.NameMismatch, $"VM {options.VmId} is named '{h.VmName}' here, not '{options.VmName}'.");
        }
    }

    private void Fail(ArenaFailure reason, string message) => throw new ArenaException(reason, Path, message);

    [SupportedOSPlatform("linux")]
    private static void EnsurePrivateDirectory(string directory)
    {
        System.IO.Directory.CreateDirectory(directory, DirectoryMode0700);
        CheckPrivate(directory, FileStatus.Of(directory), isDirectory: true);
    }

    private static void CheckPrivate(string path, FileStatus status, bool isDirectory)
    {
        var kind = isDirectory ? "directory" : "file";
        if (isDirectory ? !status.IsDirectory : !status.IsRegular)
        {
            throw new ArenaException(ArenaFailure.UnsafePermissions, path, $"not a plain {kind} (a link or device?).");
        }
        var euid = LinuxSys.GetEuid();
        if (status.OwnerUid != euid)
        {
            throw new ArenaException(ArenaFailure.ForeignOwner, path,
                $"the {kind} belongs to uid {status.OwnerUid}, not to this process's uid {euid}.");
        }
        var allowed = isDirectory ? DirectoryMode0700 : FileMode0600;
        if ((status.Mode & ~allowed) != 0)
        {
            throw new ArenaException(ArenaFailure.UnsafePermissions, path,
                $"the {kind}'s mode is {Convert.ToString((int)status.Mode, 8)}; it must be at most " +
                $"{Convert.ToString((int)allowed, 8)} (owner only).");
        }
    }
}
