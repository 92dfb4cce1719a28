using System.Runtime.InteropServices;

namespace M3Actors;

/// <summary>
/// Value equality over all 64 bytes. Without it, <c>Equals</c> on a struct holding an inline array throws
/// (the runtime refuses the reflective default), and so does every record or tuple that holds a message.
/// </summary>
public partial struct Message : IEquatable<Message>
{
    /// <summary>True when both messages hold the same 64 bytes (source, type and payload).</summary>
    public readonly bool Equals(Message other) => Bytes(in this).SequenceEqual(Bytes(in other));

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is Message other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes(in this));
        return hash.ToHashCode();
    }

    /// <summary>Source, type and the first payload ints, for logs (Akka's dead-letter log prints this).</summary>
    public override readonly string ToString() =>
        $"Message(type {Type}{(IsNotify ? " NOTIFY" : "")} from {Source}: {GetInt(0)}, {GetInt(1)}, {GetInt(2)}, …)";

    /// <summary>Equal when <see cref="Equals(Message)"/> says so.</summary>
    public static bool operator ==(Message left, Message right) => left.Equals(right);

    /// <summary>Not equal when <see cref="Equals(Message)"/> says so.</summary>
    public static bool operator !=(Message left, Message right) => !left.Equals(right);

    private static ReadOnlySpan<byte> Bytes(in Message m) => MemoryMarshal.AsBytes(new ReadOnlySpan<Message>(in m));
}
