using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace M3Actors.Transport.Native;

/// <summary>
/// Owner, permission bits and type of a file, read with statx: unlike struct stat, struct statx has one layout on
/// every architecture, so one declaration serves x64 and arm64. .NET gives the mode but not the owner uid.
/// </summary>
internal readonly record struct FileStatus(
    uint OwnerUid, UnixFileMode Mode, bool IsRegular, bool IsDirectory, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int UidOffset = 20;
    private const int ModeOffset = 28;
    private const int InodeOffset = 32;
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;
    private const int DirectoryType = 0x4000;

    /// <summary>The status of an open file (no race between the check and the use).</summary>
    public static FileStatus Of(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Read(checked((int)handle.DangerousGetHandle()), "", AtEmptyPath, "the open arena file");
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>
    /// The status of <paramref name="path"/> itself (a symbolic link is reported as neither file nor directory).
    /// </summary>
    public static FileStatus Of(string path) => Read(AtFdCwd, path, AtSymlinkNoFollow, path);

    private static unsafe FileStatus Read(int dirFd, string path, int flags, string what)
    {
        var buffer = stackalloc byte[256];
        if (LinuxSys.Statx(dirFd, path, flags, StatxBasicStats, buffer) != 0)
        {
            throw new IOException($"statx of {what} failed: {Marshal.GetPInvokeErrorMessage(LinuxSys.Errno)}");
        }
        var uid = *(uint*)(buffer + UidOffset);
        var mode = *(ushort*)(buffer + ModeOffset);
        return new FileStatus(uid, (UnixFileMode)(mode & 0xFFF),
            (mode & TypeMask) == RegularType, (mode & TypeMask) == DirectoryType, *(ulong*)(buffer + InodeOffset));
    }
}
