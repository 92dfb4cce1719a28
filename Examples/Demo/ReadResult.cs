namespace M3Actors.Examples.Demo;

/// <summary>What one client's read came to: the status, and whether its buffer holds exactly the block on disk.</summary>
/// <param name="Client">The client's endpoint.</param>
/// <param name="Block">The block it read.</param>
/// <param name="Status">Ok, or the first error (from the lookup or the read).</param>
/// <param name="Checksum">The checksum of the bytes that landed in the client's buffer.</param>
/// <param name="Verified">True when those bytes match the block and the server's own checksum of it.</param>
public sealed record ReadResult(Endpoint Client, int Block, IpcStatus Status, uint Checksum, bool Verified)
{
    /// <summary>Checks what vcopy put in <paramref name="buffer"/> against the disk and the server's reply.</summary>
    public static ReadResult Verify(Endpoint client, int block, in Message reply, ReadOnlySpan<byte> buffer)
    {
        if (reply.Type != (int)IpcStatus.Ok) return new(client, block, (IpcStatus)reply.Type, 0, false);
        var sum = DiskImage.Checksum(buffer);
        var ok = reply.GetInt(0) == buffer.Length && sum == DiskImage.ExpectedChecksum(block) && sum == (uint)reply.GetInt(1);
        return new(client, block, IpcStatus.Ok, sum, ok);
    }
}
