using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.M3;

/// <summary>
/// The frame of the vcopy tests (COPY1, COPY2): a VM, a requester endpoint bound by the benchmark thread
/// (<c>vm.Bind()</c>), and <see cref="BufferOwner"/> actors that register a buffer and then sit in their implicit
/// receive — the blocked state vcopy requires of every party but the requester. Buffers are <see cref="Size"/> bytes,
/// 64-byte aligned and pinned, reused for every copy (as the <c>Buffer.MemoryCopy</c> ceiling does), and touched in
/// setup so no page fault lands in a measurement.
/// </summary>
public abstract class CopyParties
{
    /// <summary>Copies per invocation (as the ceiling does).</summary>
    protected const int CopiesPerInvoke = 16;
    private const int CacheLine = 64;

    private M3Host? _host;

    /// <summary>Block size in bytes, as the ceiling's.</summary>
    [Params(4 * 1024, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024)]
    public int Size { get; set; }

    /// <summary>The requester's endpoint handle.</summary>
    protected EndpointHandle Requester { get; private set; } = null!;

    /// <summary>The VM's name.</summary>
    protected abstract string VmName { get; }

    /// <summary>Creates the parties and buffers once the VM and requester exist.</summary>
    protected abstract void CreateParties();

    /// <summary>Boots the VM, binds the requester, creates the parties.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _host = M3Host.Start(VmName);
        Requester = _host.Vm.Bind(owner: "copy requester");
        CreateParties();
    }, Cleanup);

    /// <summary>Unbinds the requester and ends the DRVS.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            Requester?.Dispose();
            _host?.Dispose();
        }
        finally
        {
            _host = null;
        }
    }

    /// <summary>A pinned, 64-byte aligned region of <see cref="Size"/> bytes filled with <paramref name="fill"/>.</summary>
    protected Memory<byte> AlignedRegion(byte fill)
    {
        var array = GC.AllocateUninitializedArray<byte>(Size + CacheLine, pinned: true);
        int offset;
        unsafe
        {
            fixed (byte* start = array)
            {
                offset = (int)((CacheLine - (nint)start % CacheLine) % CacheLine);
            }
        }
        var region = array.AsMemory(offset, Size);
        region.Span.Fill(fill);
        return region;
    }

    /// <summary>Starts a <see cref="BufferOwner"/> at <paramref name="slot"/>, registers <paramref name="region"/>
    /// there and returns the party's endpoint and buffer id.</summary>
    protected (Endpoint Owner, BufferAddress Buffer) StartOwner(int slot, Memory<byte> region, BufferAccess access)
    {
        var host = _host!;
        var actor = host.Vm.ActorOf(BufferOwner.Props(slot), $"buffers-{slot}");
        var endpoint = host.WaitBound(slot);
        var id = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(new RegisterRegion(region, access, id), ActorRefs.NoSender);
        return (endpoint, new BufferAddress(id.Task.WaitAsync(M3Host.Timeout).GetAwaiter().GetResult()));
    }

    /// <summary>
    /// Runs <paramref name="copy"/> until it succeeds: right after registering, an owner may still be in its handler
    /// (not yet blocked in its receive), which vcopy refuses with ProcState.
    /// </summary>
    protected static void UntilPartiesBlocked(Func<IpcStatus> copy, Func<string?> lastError)
    {
        var deadline = DateTime.UtcNow + M3Host.Timeout;
        IpcStatus status;
        while ((status = copy()) == IpcStatus.ProcState && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
        }
        if (status != IpcStatus.Ok)
        {
            throw new IpcException(status, $"vcopy failed in setup: {lastError() ?? status.Describe()}");
        }
    }

    /// <summary>Throws when a timed vcopy did not succeed.</summary>
    protected void Check(IpcStatus status)
    {
        if (status != IpcStatus.Ok)
        {
            throw new IpcException(status, $"vcopy failed: {Requester.LastError ?? status.Describe()}");
        }
    }
}
