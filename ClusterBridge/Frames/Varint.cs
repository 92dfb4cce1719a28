using System.Runtime.Serialization;

namespace M3Actors.ClusterBridge.Frames;

/// <summary>
/// Zigzag LEB128 integers (protobuf's sint encoding) on spans: small magnitudes of either sign take one byte, which
/// is what the frame's correlation ids, endpoints and statuses are. Reading refuses an overlong or truncated value:
/// the bytes come from the network.
/// </summary>
internal static class Varint
{
    /// <summary>Most bytes a 64-bit value takes.</summary>
    internal const int MaxBytes64 = 10;

    /// <summary>Most bytes a 32-bit value takes.</summary>
    internal const int MaxBytes32 = 5;

    /// <summary>Writes <paramref name="value"/> at <paramref name="at"/>, which advances past it.</summary>
    internal static void Write(Span<byte> destination, ref int at, long value)
    {
        var bits = (ulong)((value << 1) ^ (value >> 63));
        while (bits >= 0x80)
        {
            destination[at++] = (byte)(bits | 0x80);
            bits >>= 7;
        }
        destination[at++] = (byte)bits;
    }

    /// <summary>Reads a 64-bit value at <paramref name="at"/>, which advances past it.</summary>
    internal static long Read64(ReadOnlySpan<byte> source, ref int at, string field) =>
        Decode(ReadBits(source, ref at, MaxBytes64, field));

    /// <summary>Reads a 32-bit value at <paramref name="at"/>, which advances past it.</summary>
    internal static int Read32(ReadOnlySpan<byte> source, ref int at, string field)
    {
        var value = Decode(ReadBits(source, ref at, MaxBytes32, field));
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new SerializationException($"IPC frame {field} {value} does not fit 32 bits");
    }

    private static long Decode(ulong bits) => (long)(bits >> 1) ^ -(long)(bits & 1);

    private static ulong ReadBits(ReadOnlySpan<byte> source, ref int at, int maxBytes, string field)
    {
        ulong bits = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            if (at >= source.Length) throw new SerializationException($"IPC frame ends inside its {field}");
            var b = source[at++];
            bits |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80) return bits;
        }
        throw new SerializationException($"IPC frame {field} is longer than {maxBytes} bytes");
    }
}
