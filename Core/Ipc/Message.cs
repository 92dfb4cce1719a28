using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace M3Actors;

/// <summary>
/// The fixed-size Minix message: 64 bytes, blittable, copied by value at the moment of a call (later changes to the
/// caller's copy never affect what is delivered). <see cref="Source"/> is always overwritten by the IPC layer with
/// the true sender, so it cannot be forged. The 56-byte payload has a few fixed typed layouts: 14 ints, 7 longs, or a
/// short inline UTF-8 text; the layouts overlap, as Minix's message unions do.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
public partial struct Message
{
    /// <summary>Size of a message in bytes.</summary>
    public const int Size = 64;
    /// <summary>Size of the payload in bytes.</summary>
    public const int PayloadSize = 56;
    /// <summary>Number of ints in the payload.</summary>
    public const int IntSlots = PayloadSize / sizeof(int);
    /// <summary>Number of longs in the payload.</summary>
    public const int LongSlots = PayloadSize / sizeof(long);
    /// <summary>Largest inline text in UTF-8 bytes (one payload byte holds the length).</summary>
    public const int MaxTextBytes = PayloadSize - 1;
    /// <summary>The <see cref="Type"/> of a notification message (Minix's NOTIFY_MESSAGE).</summary>
    public const int NotifyType = 0x1000;

    private Endpoint _source;
    private int _type;
    private PayloadBytes _payload;

    /// <summary>Creates a message of the given type with an empty payload.</summary>
    public Message(int type) => _type = type;

    /// <summary>The true sender, set by the IPC layer on delivery.</summary>
    public Endpoint Source { readonly get => _source; internal set => _source = value; }

    /// <summary>The message type (request code, reply status, or <see cref="NotifyType"/>).</summary>
    public int Type { readonly get => _type; set => _type = value; }

    /// <summary>True when this message is a notification.</summary>
    public readonly bool IsNotify => _type == NotifyType;

    /// <summary>The raw payload bytes.</summary>
    [UnscopedRef]
    public Span<byte> Payload => _payload;

    /// <summary>Reads int <paramref name="index"/> (0..13) of the payload.</summary>
    public readonly int GetInt(int index) => Unsafe.ReadUnaligned<int>(ref Slot(index, sizeof(int), IntSlots));

    /// <summary>Writes int <paramref name="index"/> (0..13) of the payload.</summary>
    public void SetInt(int index, int value) => Unsafe.WriteUnaligned(ref Slot(index, sizeof(int), IntSlots), value);

    /// <summary>Reads long <paramref name="index"/> (0..6) of the payload.</summary>
    public readonly long GetLong(int index) => Unsafe.ReadUnaligned<long>(ref Slot(index, sizeof(long), LongSlots));

    /// <summary>Writes long <paramref name="index"/> (0..6) of the payload.</summary>
    public void SetLong(int index, long value) => Unsafe.WriteUnaligned(ref Slot(index, sizeof(long), LongSlots), value);

    /// <summary>
    /// The timestamp layout (rulebook §3): a UTC time in long 0 of the payload, as UTC ticks. A notification carries the
    /// time it was sent here (Minix's NOTIFY_TIMESTAMP); any other message may carry one too (set it, or read it if the
    /// sender did). Like every layout it overlaps the others: on a message whose long 0 is not a valid
    /// <see cref="DateTime"/> (e.g. it holds ints) reading throws <see cref="InvalidOperationException"/>. Setting a
    /// local time stores it converted to UTC; an unspecified kind is taken as UTC.
    /// </summary>
    public DateTime Timestamp
    {
        readonly get
        {
            var ticks = GetLong(0);
            return (ulong)ticks <= (ulong)DateTime.MaxValue.Ticks
                ? new DateTime(ticks, DateTimeKind.Utc)
                : throw new InvalidOperationException(
                    $"long 0 of this message (type {_type}) is {ticks}, not a timestamp");
        }
        set => SetLong(0, (value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).Ticks);
    }

    /// <summary>Stores <paramref name="text"/> inline as UTF-8; throws if it needs more than 55 bytes.</summary>
    public void SetText(ReadOnlySpan<char> text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        if (count > MaxTextBytes)
            throw new ArgumentException($"inline text needs {count} UTF-8 bytes; a message holds at most {MaxTextBytes}", nameof(text));
        Span<byte> payload = _payload;
        payload[0] = (byte)count;
        Encoding.UTF8.GetBytes(text, payload[1..]);
    }

    /// <summary>Reads the inline text written by <see cref="SetText"/>.</summary>
    public readonly string GetText()
    {
        ReadOnlySpan<byte> payload = _payload;
        return Encoding.UTF8.GetString(payload.Slice(1, Math.Min((int)payload[0], MaxTextBytes)));
    }

    internal static Message Notification(Endpoint source)
    {
        var m = new Message(NotifyType) { _source = source };
        m.SetLong(0, DateTime.UtcNow.Ticks);
        return m;
    }

    private readonly ref byte Slot(int index, int width, int count)
    {
        if ((uint)index >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"payload holds {count} values of {width} bytes");
        return ref Unsafe.Add(ref Unsafe.AsRef(in _payload[0]), index * width);
    }

    [InlineArray(PayloadSize)]
    private struct PayloadBytes
    {
        private byte _first;
    }
}
