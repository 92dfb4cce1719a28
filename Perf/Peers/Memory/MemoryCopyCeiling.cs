using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Memory;

/// <summary>
/// The copy ceiling: <see cref="Buffer.MemoryCopy"/> between two buffers of one process. No IPC copy can beat it,
/// so COPY1/COPY2 results are read as a fraction of it. The same buffers are reused on purpose (as lmbench's
/// bw_mem does), so blocks that fit a cache level stay there: that is the ceiling the seed compared against.
/// </summary>
[ReportAs("Buffer.MemoryCopy", "COPY", Unit = RateUnit.GigabytesPerSecond)]
public unsafe class MemoryCopyCeiling
{
    private const int CopiesPerInvoke = 16;
    private const int CacheLine = 64;

    private byte* _source;
    private byte* _destination;

    /// <summary>Block size in bytes: the seed's 4 KB page plus sizes that leave L1, L2 and the last-level cache.</summary>
    [Params(4 * 1024, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024)]
    public int Size { get; set; }

    /// <summary>Allocates cache-line aligned buffers and touches every page, so no page fault lands in a measurement.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _source = (byte*)NativeMemory.AlignedAlloc((nuint)Size, CacheLine);
        _destination = (byte*)NativeMemory.AlignedAlloc((nuint)Size, CacheLine);
        new Span<byte>(_source, Size).Fill(0x5A);
        new Span<byte>(_destination, Size).Clear();
    }

    /// <summary>Frees the buffers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_source);
        NativeMemory.AlignedFree(_destination);
        _source = null;
        _destination = null;
    }

    /// <summary>One operation copies one block.</summary>
    [Benchmark(OperationsPerInvoke = CopiesPerInvoke)]
    public void Copy()
    {
        for (var i = 0; i < CopiesPerInvoke; i++)
        {
            Buffer.MemoryCopy(_source, _destination, Size, Size);
        }
    }
}
