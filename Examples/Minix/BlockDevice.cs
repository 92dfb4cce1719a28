namespace M3Actors.Examples.Minix;

/// <summary>
/// The hardware behind the disk driver: a byte array of fixed-size blocks. It belongs to the machine, not to the
/// driver, so it outlives every driver incarnation — a driver crash loses the request in flight, never the disk.
/// </summary>
public sealed class BlockDevice
{
    /// <summary>A device of <paramref name="blocks"/> blocks of <see cref="MinixProtocol.BlockSize"/> bytes.</summary>
    public BlockDevice(int blocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        Bytes = new byte[blocks * MinixProtocol.BlockSize];
    }

    /// <summary>The device's contents; the driver registers it as its vcopy buffer.</summary>
    public byte[] Bytes { get; }

    /// <summary>The number of blocks.</summary>
    public int Blocks => Bytes.Length / MinixProtocol.BlockSize;
}
