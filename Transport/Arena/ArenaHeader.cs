using System.Text;

namespace M3Actors.Transport.Arena;

/// <summary>
/// The fixed header at offset 0 of an arena (256 bytes). Line 0 (bytes 0..63) is written once by the creator,
/// <see cref="Initialised"/> last; line 1 holds words every process changes; bytes 128..191 the VM name.
/// The checksum covers the immutable fields so a damaged header is told apart from a different one.
/// </summary>
internal readonly unsafe struct ArenaHeader(byte* header)
{
    /// <summary>"M3ARENA" followed by a zero byte, read as a little-endian ulong.</summary>
    public const ulong MagicValue = 0x0041_4E45_5241_334D;

    /// <summary>
    /// The value of <see cref="Initialised"/> once creation completed (not 1, so stray bytes rarely pass).
    /// </summary>
    public const int InitialisedValue = 0x1A1D_0C0E;

    /// <summary>The longest VM name in UTF-8 bytes (one byte of the 64 stays zero).</summary>
    public const int MaxNameBytes = 63;

    private const int NameOffset = 128;
    private const int NameBytes = 64;
    private const int ChecksumOffset = 192;

    public ref ulong Magic => ref *(ulong*)header;
    public ref int LayoutVersion => ref *(int*)(header + 8);
    public ref int HeaderSize => ref *(int*)(header + 12);
    public ref int SlotCount => ref *(int*)(header + 16);
    public ref int SlotRecordSize => ref *(int*)(header + 20);
    public ref int ProcessTableSize => ref *(int*)(header + 24);
    public ref int ProcessEntrySize => ref *(int*)(header + 28);
    public ref long TotalSize => ref *(long*)(header + 32);
    public ref int DrvsId => ref *(int*)(header + 40);
    public ref int VmId => ref *(int*)(header + 44);
    public ref long CreatedAtUnixMs => ref *(long*)(header + 48);

    /// <summary>
    /// Pid of the creating process, written before anything else so a crash during creation is attributable.
    /// </summary>
    public ref int CreatorPid => ref *(int*)(header + 56);

    /// <summary><see cref="InitialisedValue"/> once the header is complete; waiters park on it with a futex.</summary>
    public ref int Initialised => ref *(int*)(header + 60);

    /// <summary>The robust lock serialising joins (and the reinitialisation of a stale arena).</summary>
    public ref int AttachLock => ref *(int*)(header + 64);

    /// <summary>Threads spinning in a <c>SharedWait</c> right now, in every attached process.</summary>
    public ref int Spinners => ref *(int*)(header + 68);

    /// <summary>Bumped each time a stale arena (every process in its table dead) is reinitialised.</summary>
    public ref long Epoch => ref *(long*)(header + 72);

    /// <summary>Start time of the creator (see <c>ProcessIdentity</c>), with <see cref="CreatorPid"/>.</summary>
    public ref long CreatorStartTime => ref *(long*)(header + 80);

    public ref ulong Checksum => ref *(ulong*)(header + ChecksumOffset);

    /// <summary>The VM name stored in the header.</summary>
    public string VmName
    {
        get
        {
            var bytes = new ReadOnlySpan<byte>(header + NameOffset, NameBytes);
            var end = bytes.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
        }
        set
        {
            var bytes = new Span<byte>(header + NameOffset, NameBytes);
            bytes.Clear();
            Encoding.UTF8.GetBytes(value, bytes[..MaxNameBytes]);
        }
    }

    /// <summary>FNV-1a over the immutable fields (bytes 0..55 and the name), excluding the words that change.</summary>
    public ulong ComputeChecksum()
    {
        var hash = 0xcbf29ce484222325UL;
        foreach (var b in new ReadOnlySpan<byte>(header, 56)) hash = (hash ^ b) * 0x100000001b3UL;
        foreach (var b in new ReadOnlySpan<byte>(header + NameOffset, NameBytes)) hash = (hash ^ b) * 0x100000001b3UL;
        return hash;
    }
}
