using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// The busy-spin shared-memory ring: the physical limit of a round trip between two processes on this machine. A
/// file in /dev/shm mapped by both processes holds 256 bytes per pair: the request's 64-byte payload at 0 and its
/// sequence number at 64, the reply's payload at 128 and its sequence at 192, each on its own cache line. The client
/// writes the payload, then publishes the next sequence; the echo thread spins until it sees it, copies the payload
/// into the reply and publishes the same sequence there. Nobody ever parks, which is what makes it the ceiling.
/// </summary>
public sealed unsafe class SpinRing : IDisposable
{
    private const int PairBytes = 256;
    private const int ReplyOffset = 128;
    private const int SequenceOffset = 64;
    private const int SpinsPerClockCheck = 1 << 20;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly int _pairs;

    private SpinRing(FileStream stream, int pairs)
    {
        _pairs = pairs;
        _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite,
            HandleInheritability.None, leaveOpen: false);
        _view = _file.CreateViewAccessor(0, (long)pairs * PairBytes);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>Creates the ring file (owner-only) for <paramref name="pairs"/> pairs; the creator is the
    /// client.</summary>
    public static SpinRing Create(string path, int pairs)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The shared-memory ring maps a file in /dev/shm: Linux only.");
        }
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.SetLength((long)pairs * PairBytes);
        return new SpinRing(stream, pairs);
    }

    /// <summary>Maps an existing ring file (the echo side).</summary>
    public static SpinRing Open(string path, int pairs) =>
        new(new FileStream(path, FileMode.Open, FileAccess.ReadWrite), pairs);

    /// <summary>Does <paramref name="count"/> round trips on <paramref name="pair"/>: copy in, publish, spin for the
    /// reply, copy out. Throws if a reply takes longer than a minute (the echo process died).</summary>
    public void RoundTrips(int pair, int count, ref Payload64 request, ref Payload64 reply)
    {
        var line = Line(pair);
        ref var sent = ref Unsafe.AsRef<long>(line + SequenceOffset);
        ref var answered = ref Unsafe.AsRef<long>(line + ReplyOffset + SequenceOffset);
        var sequence = sent;
        for (var i = 0; i < count; i++)
        {
            Unsafe.CopyBlockUnaligned(line, Unsafe.AsPointer(ref request), Payload64.Length);
            Volatile.Write(ref sent, ++sequence);
            SpinUntil(ref answered, sequence);
            Unsafe.CopyBlockUnaligned(Unsafe.AsPointer(ref reply), line + ReplyOffset, Payload64.Length);
        }
    }

    /// <summary>Starts one echo thread per pair, spinning for requests for the rest of this process's life.</summary>
    public void StartEcho()
    {
        for (var pair = 0; pair < _pairs; pair++)
        {
            var line = (nint)Line(pair);
            new Thread(() => Echo((byte*)line)) { IsBackground = true, Name = $"ring echo {pair}" }.Start();
        }
    }

    /// <summary>Unmaps the ring.</summary>
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private byte* Line(int pair) =>
        (uint)pair < (uint)_pairs ? _base + pair * PairBytes : throw new ArgumentOutOfRangeException(nameof(pair));

    private static void Echo(byte* line)
    {
        ref var requested = ref Unsafe.AsRef<long>(line + SequenceOffset);
        ref var answered = ref Unsafe.AsRef<long>(line + ReplyOffset + SequenceOffset);
        var seen = Volatile.Read(ref requested);
        while (true)
        {
            // No deadline here: the echo thread ends with its process, when the parent closes our stdin.
            while (Volatile.Read(ref requested) == seen)
            {
            }
            seen = Volatile.Read(ref requested);
            Unsafe.CopyBlockUnaligned(line + ReplyOffset, line, Payload64.Length);
            Volatile.Write(ref answered, seen);
        }
    }

    private static void SpinUntil(ref long word, long value)
    {
        var spins = 0;
        var clock = 0L;
        while (Volatile.Read(ref word) != value)
        {
            if (++spins < SpinsPerClockCheck)
            {
                continue;
            }
            // Reading the clock every 2^20 spins keeps the loop a pure spin while still noticing a dead peer.
            spins = 0;
            clock = clock == 0 ? Stopwatch.GetTimestamp() : clock;
            if (Stopwatch.GetElapsedTime(clock) > Patience)
            {
                throw new TimeoutException(
                    $"The ring's echo process did not answer sequence {value} within {Patience}.");
            }
        }
    }
}
