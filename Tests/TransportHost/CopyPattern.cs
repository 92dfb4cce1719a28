using System.Globalization;

namespace M3Actors.TransportHost;

/// <summary>The vcopy tests' buffer contents, written and checked alike in the test and in its children.</summary>
public static class CopyPattern
{
    /// <summary>Byte i of the buffer becomes i * 31 + seed.</summary>
    public static void Fill(Span<byte> buffer, int seed)
    {
        for (var i = 0; i < buffer.Length; i++) buffer[i] = unchecked((byte)(i * 31 + seed));
    }

    /// <summary>FNV-1a over the buffer, in hex, to compare contents across processes.</summary>
    public static string Checksum(ReadOnlySpan<byte> buffer)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in buffer) hash = (hash ^ b) * 1099511628211UL;
        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>The checksum of <paramref name="bytes"/> bytes filled with <paramref name="seed"/>.</summary>
    public static string ChecksumOf(int bytes, int seed)
    {
        var buffer = new byte[bytes];
        Fill(buffer, seed);
        return Checksum(buffer);
    }
}
