namespace M3Actors.Examples.Demo;

/// <summary>
/// The small "minix" system's wire protocol: well-known slots, request codes and payload layouts. Minix servers agree
/// on message types and field positions the same way (com.h); nothing here is known to the kernel.
/// </summary>
public static class Protocol
{
    // System slots: generation 0, so every client can name these endpoints without asking anyone (Minix's PM_PROC_NR,
    // VFS_PROC_NR, CLOCK, and a disk driver). Everything else binds a user slot and gets a fresh endpoint per bind.
    public const int PmSlot = 0;
    public const int FsSlot = 1;
    public const int ClockSlot = 2;
    public const int DiskSlot = 3;

    public static Endpoint Pm => Endpoint.System(PmSlot);
    public static Endpoint Fs => Endpoint.System(FsSlot);
    public static Endpoint Disk => Endpoint.System(DiskSlot);

    // Requests. A reply reuses Type as its status: Ok (0) or a negative code.
    public const int PmRegister = 1;    // text = name; the endpoint registered is m.Source, which the kernel sets
    public const int PmLookup = 2;      // text = name → int 0 = endpoint value
    public const int FsRead = 10;       // int 0 = block, int 1 = caller's buffer id → int 0 = bytes, int 1 = checksum
    public const int FsSync = 11;       // flush: fs asks the disk driver, the caller waits for both
    public const int FsStat = 12;       // → int 0 = clock ticks seen, int 1 = reads served
    public const int DiskWrite = 20;    // fs → disk: write back dirty blocks

    /// <summary>Reply code for an unknown name (Minix's ESRCH).</summary>
    public const int NotFound = -3;

    /// <summary>Builds a request carrying a short name.</summary>
    public static Message Named(int type, string name)
    {
        var m = new Message(type);
        m.SetText(name);
        return m;
    }
}

/// <summary>
/// The fs server's "disk": blocks with a content anyone can recompute, so a client can check what vcopy brought it
/// without trusting the server's own checksum.
/// </summary>
public static class DiskImage
{
    public const int BlockSize = 1024;
    public const int Blocks = 8;

    /// <summary>The byte at offset <paramref name="i"/> of block <paramref name="block"/>.</summary>
    public static byte ByteAt(int block, int i) => (byte)(block * 37 + i * 7 + (i >> 8) + 1);

    /// <summary>The whole image, as fs registers it.</summary>
    public static byte[] Build()
    {
        var image = new byte[Blocks * BlockSize];
        for (var b = 0; b < Blocks; b++)
            for (var i = 0; i < BlockSize; i++) image[b * BlockSize + i] = ByteAt(b, i);
        return image;
    }

    /// <summary>The checksum block <paramref name="block"/> must have.</summary>
    public static uint ExpectedChecksum(int block)
    {
        var bytes = new byte[BlockSize];
        for (var i = 0; i < BlockSize; i++) bytes[i] = ByteAt(block, i);
        return Checksum(bytes);
    }

    /// <summary>FNV-1a, 32 bits: enough to tell a wrong or partial copy from the right one.</summary>
    public static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes) hash = (hash ^ b) * 16777619u;
        return hash;
    }
}
