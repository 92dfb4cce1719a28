using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace M3Actors;

// Typed access to the payload: users store their own unmanaged request and reply structs instead of hand-computing
// byte offsets, and read the bytes of an `in Message` without a defensive copy. Nothing here allocates.
public partial struct Message
{
    /// <summary>
    /// The payload bytes, read-only. A <c>readonly</c> member, so on an <c>in Message</c> (a handler's argument) the
    /// span views the caller's storage instead of a defensive copy; it is valid as long as that message is.
    /// </summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> ReadOnlyPayload =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _payload[0]), PayloadSize);

    /// <summary>
    /// Reads a <typeparamref name="T"/> stored at byte <paramref name="offset"/> of the payload (unaligned reads are
    /// fine). Throws <see cref="ArgumentOutOfRangeException"/> when <typeparamref name="T"/> does not fit there.
    /// </summary>
    /// <typeparam name="T">An unmanaged struct of at most <see cref="PayloadSize"/> bytes.</typeparam>
    public readonly T Get<T>(int offset = 0) where T : unmanaged =>
        Unsafe.ReadUnaligned<T>(in At<T>(offset));

    /// <summary>
    /// Writes <paramref name="value"/> at byte <paramref name="offset"/> of the payload; the other payload bytes keep
    /// their values. Throws <see cref="ArgumentOutOfRangeException"/> when <typeparamref name="T"/> does not fit there.
    /// </summary>
    /// <typeparam name="T">An unmanaged struct of at most <see cref="PayloadSize"/> bytes.</typeparam>
    public void Set<T>(int offset, T value) where T : unmanaged =>
        Unsafe.WriteUnaligned(ref Unsafe.AsRef(in At<T>(offset)), value);

    /// <summary>Writes <paramref name="value"/> at the start of the payload (see <see cref="Set{T}(int, T)"/>).</summary>
    /// <typeparam name="T">An unmanaged struct of at most <see cref="PayloadSize"/> bytes.</typeparam>
    public void Set<T>(T value) where T : unmanaged => Set(0, value);

    // One bounds check for every typed access: the whole value must lie inside the 56 payload bytes.
    private readonly ref readonly byte At<T>(int offset) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        if (size > PayloadSize)
            throw new ArgumentOutOfRangeException(nameof(T), size,
                $"{typeof(T).Name} is {size} bytes; a message payload holds at most {PayloadSize}");
        if ((uint)offset > (uint)(PayloadSize - size))
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"{typeof(T).Name} ({size} bytes) at offset {offset} does not fit the {PayloadSize}-byte payload; " +
                $"offsets run 0..{PayloadSize - size}");
        return ref Unsafe.Add(ref Unsafe.AsRef(in _payload[0]), offset);
    }
}
