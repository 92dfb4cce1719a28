namespace M3Actors;

/// <summary>How a registered buffer may be used by vcopy (Minix memory-grant style).</summary>
[Flags]
public enum BufferAccess
{
    /// <summary>No access.</summary>
    None = 0,
    /// <summary>The buffer may be a copy source.</summary>
    Read = 1,
    /// <summary>The buffer may be a copy destination.</summary>
    Write = 2,
    /// <summary>Both.</summary>
    ReadWrite = Read | Write,
}

/// <summary>An address for vcopy: a buffer id in the owner's table of registered buffers, and an offset in it.</summary>
/// <param name="Buffer">The id returned when the buffer was registered.</param>
/// <param name="Offset">Byte offset inside the buffer.</param>
public readonly record struct BufferAddress(int Buffer, int Offset = 0);
