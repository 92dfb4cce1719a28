using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>
/// VFS's in-memory metadata: the inodes (name, size, list of device blocks), the open-file table (fd → inode and
/// position) and the free-block list. It only plans: <see cref="Plan"/> says which block the next step of a read
/// or write touches; VFS moves the bytes. The file contents live on the disk, this table in VFS's memory — so a
/// crash of VFS loses the table (the files' names and open fds), while a crash of the disk driver loses nothing.
/// </summary>
public sealed class FileTable
{
    private const int MaxOpen = 64;
    private readonly Dictionary<string, Inode> _inodes = new(StringComparer.Ordinal);
    private readonly Dictionary<int, OpenFile> _open = [];
    private readonly Stack<int> _free;
    private int _nextFd = 3;     // 0, 1 and 2 are stdin, stdout and stderr in every Minix process

    /// <summary>A table over a device of <paramref name="blocks"/> blocks, all free.</summary>
    public FileTable(int blocks) => _free = new Stack<int>(Enumerable.Range(0, blocks).Reverse());

    /// <summary>One step of a transfer: a part of one device block.</summary>
    /// <param name="Block">The device block.</param>
    /// <param name="Offset">Where in the block the step starts.</param>
    /// <param name="Length">Bytes in this step (0 at end of file).</param>
    /// <param name="Fresh">A block just allocated: its old contents are not the file's; nothing to read first.</param>
    public readonly record struct Step(int Block, int Offset, int Length, bool Fresh);

    /// <summary>The names of all files, in creation order.</summary>
    public IEnumerable<string> Names => _inodes.Keys;

    /// <summary>Opens → an fd or an error; <see cref="OCreat"/> creates, <see cref="OTrunc"/> empties.</summary>
    public int Open(string name, int flags)
    {
        if (name.Length == 0 || name.Contains('\n')) return Invalid;
        if (_open.Count >= MaxOpen) return TooManyOpen;
        if (!_inodes.TryGetValue(name, out var inode))
        {
            if ((flags & OCreat) == 0) return NoEntry;
            _inodes[name] = inode = new Inode();
        }
        if ((flags & OTrunc) != 0)
        {
            foreach (var block in inode.Blocks) _free.Push(block);
            inode.Blocks.Clear();
            inode.Size = 0;
        }
        _open[_nextFd] = new OpenFile(inode);
        return _nextFd++;
    }

    /// <summary>Closes <paramref name="fd"/>: Ok or <see cref="BadFd"/>.</summary>
    public int Close(int fd) => _open.Remove(fd) ? Ok : BadFd;

    /// <summary>The size of <paramref name="name"/>, or <see cref="NoEntry"/>.</summary>
    public int Stat(string name) => _inodes.TryGetValue(name, out var inode) ? inode.Size : NoEntry;

    /// <summary>True when <paramref name="fd"/> is open.</summary>
    public bool IsOpen(int fd) => _open.ContainsKey(fd);

    /// <summary>
    /// Plans the next step of a read or write of <paramref name="remaining"/> bytes at <paramref name="fd"/>'s
    /// position, allocating the block a write needs. Ok, <see cref="BadFd"/>, <see cref="NoSpace"/>, or
    /// <see cref="Invalid"/> for a write that would leave a hole (not supported here).
    /// </summary>
    public int Plan(int fd, bool write, int remaining, out Step step)
    {
        step = default;
        if (!_open.TryGetValue(fd, out var file)) return BadFd;
        var inode = file.Inode;
        var (index, offset) = Math.DivRem(file.Position, BlockSize);
        var length = Math.Min(BlockSize - offset, remaining);
        if (!write)
        {
            length = Math.Min(length, inode.Size - file.Position);
            if (length > 0) step = new Step(inode.Blocks[index], offset, length, false);
            return Ok;
        }
        if (index > inode.Blocks.Count) return Invalid;
        var fresh = index == inode.Blocks.Count;
        if (fresh)
        {
            if (!_free.TryPop(out var block)) return NoSpace;
            inode.Blocks.Add(block);
        }
        step = new Step(inode.Blocks[index], offset, length, fresh);
        return Ok;
    }

    /// <summary>Moves <paramref name="fd"/>'s position past a finished step; a write may grow the file.</summary>
    public void Advance(int fd, int bytes)
    {
        var file = _open[fd];
        file.Position += bytes;
        file.Inode.Size = Math.Max(file.Inode.Size, file.Position);
    }

    private sealed class Inode
    {
        public int Size;
        public readonly List<int> Blocks = [];
    }

    private sealed class OpenFile(Inode inode)
    {
        public Inode Inode { get; } = inode;
        public int Position;
    }
}
