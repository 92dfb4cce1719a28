using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace M3Actors.Perf;

/// <summary>
/// The 64-byte blittable message every request/reply peer carries, so peers move exactly as many bytes as an M3
/// message. An inline array keeps it a plain value type that maps onto a byte span for sockets and pipes.
/// </summary>
[InlineArray(Length)]
public struct Payload64
{
    /// <summary>Size of the payload in bytes.</summary>
    public const int Length = 64;

    private byte _first;

    /// <summary>A payload whose bytes are 0, 1, 2, … so a wrong copy is visible when debugging a peer.</summary>
    public static Payload64 Pattern()
    {
        var payload = default(Payload64);
        var bytes = AsBytes(ref payload);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
        }
        return payload;
    }

    /// <summary>The payload's bytes in place, for transports that move raw bytes.</summary>
    public static Span<byte> AsBytes(ref Payload64 payload) =>
        MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref payload, 1));
}
