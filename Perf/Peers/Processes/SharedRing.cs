using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using M3Actors.Transport.Native;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// A shared-memory ring between two processes, the reference for what a round trip can cost here with a given way
/// of waiting (<see cref="RingWait"/>): busy spin is the physical limit with a core per side, futex park/wake the
/// cheapest purely blocking hand-off. A file in /dev/shm mapped by both processes holds 256 bytes per pair: the
/// request's 64-byte payload at 0, its sequence number at 64 and its waiter's "parked" flag at 68; the reply's
/// payload at 128, sequence at 192 and flag at 196, each direction on its own cache lines. The client writes the
/// payload, then publishes the next sequence; the echo thread waits until it sees it, copies the payload into the
/// reply and publishes the same sequence there.
/// </summary>
public sealed unsafe class SharedRing : IDisposable
{
    private const int PairBytes = 256;
    private const int ReplyOffset = 128;
    private const int SequenceOffset = 64;
    private const int ParkedOffset = 68;
    private const int ChecksPerClockCheck = 1 << 10;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ParkSlice = TimeSpan.FromMilliseconds(100);

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly int _pairs;
    private readonly RingWait _wait;

    private SharedRing(FileStream stream, int pairs, RingWait wait)
    {
        _pairs = pairs;
        _wait = wait;
        _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite,
            HandleInheritability.None, leaveOpen: false);
        _view = _file.CreateViewAccessor(0, (long)pairs * PairBytes);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>Creates the ring file (owner-only) for <paramref name="pairs"/> pairs; the creator is the
    /// client.</summary>
    public static SharedRing Create(string path, int pairs, RingWait wait)
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
        return new SharedRing(stream, pairs, wait);
    }

    /// <summary>Maps an existing ring file (the echo side).</summary>
    public static SharedRing Open(string path, int pairs, RingWait wait) =>
        new(new FileStream(path, FileMode.Open, FileAccess.ReadWrite), pairs, wait);

    /// <summary>Does <paramref name="count"/> round trips on <paramref name="pair"/>: copy in, publish, wait for the
    /// reply, copy out. Throws if a reply takes longer than a minute (the echo process died).</summary>
    public void RoundTrips(int pair, int count, ref Payload64 request, ref Payload64 reply)
    {
        var line = Line(pair);
        var sequence = Volatile.Read(ref Word(line, SequenceOffset));
        for (var i = 0; i < count; i++)
        {
            Unsafe.CopyBlockUnaligned(line, Unsafe.AsPointer(ref request), Payload64.Length);
            Publish(line, ++sequence);
            Await(line + ReplyOffset, sequence, patient: true);
            Unsafe.CopyBlockUnaligned(Unsafe.AsPointer(ref reply), line + ReplyOffset, Payload64.Length);
        }
    }

    /// <summary>Starts one echo thread per pair, serving requests for the rest of this process's life.</summary>
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

    private static ref int Word(byte* half, int offset) => ref Unsafe.AsRef<int>(half + offset);

    private void Echo(byte* line)
    {
        var seen = Volatile.Read(ref Word(line, SequenceOffset));
        while (true)
        {
            // No deadline here: the echo thread ends with its process, when the parent closes our stdin.
            Await(line, ++seen, patient: false);
            Unsafe.CopyBlockUnaligned(line + ReplyOffset, line, Payload64.Length);
            Publish(line + ReplyOffset, seen);
        }
    }

    // Publishes the sequence of one direction (the half at half); wakes its waiter only when it announced a park.
    // The exchange is a full fence, as is the waiter's store of its flag: one of the two always sees the other's.
    private void Publish(byte* half, int sequence)
    {
        Interlocked.Exchange(ref Word(half, SequenceOffset), sequence);
        if (_wait == RingWait.Futex && Volatile.Read(ref Word(half, ParkedOffset)) != 0)
        {
            Futex.Wake(ref Word(half, SequenceOffset), 1);
        }
    }

    private void Await(byte* half, int sequence, bool patient)
    {
        ref var word = ref Word(half, SequenceOffset);
        var checks = 0;
        var clock = 0L;
        while (Volatile.Read(ref word) != sequence)
        {
            if (_wait == RingWait.Yield) Thread.Yield();
            else if (_wait == RingWait.Futex) Park(half, sequence);
            if (!patient || ++checks < ChecksPerClockCheck) continue;
            // Reading the clock only now and then keeps a spin a pure spin while still noticing a dead peer.
            checks = 0;
            clock = clock == 0 ? Stopwatch.GetTimestamp() : clock;
            if (Stopwatch.GetElapsedTime(clock) > Patience)
            {
                throw new TimeoutException(
                    $"The ring's echo process did not answer sequence {sequence} within {Patience}.");
            }
        }
    }

    private static void Park(byte* half, int sequence)
    {
        ref var word = ref Word(half, SequenceOffset);
        ref var parked = ref Word(half, ParkedOffset);
        Interlocked.Exchange(ref parked, 1);
        var seen = Volatile.Read(ref word);
        if (seen != sequence) Futex.Wait(ref word, seen, ParkSlice);
        Volatile.Write(ref parked, 0);
    }
}
