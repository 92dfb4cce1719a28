using M3Actors.Kernel;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// vcopy above one chunk goes in chunks, holding the parties' locks per chunk only; between chunks the parties are
/// pinned. Every test parks the copy in the kernel's between-chunks hook and acts from there, so nothing depends on
/// timing.
/// </summary>
public sealed class ChunkedCopyTests(ITestOutputHelper output) : IpcTestKit(output)
{
    private const int MaxCopy = 4 * 1024 * 1024;

    [Fact(Timeout = 60_000)]
    public async Task A_max_size_copy_releases_its_locks_between_chunks_while_a_pair_completes_round_trips()
    {
        using var parties = await PartiesAsync(MaxCopy);
        using var client = Vm.Bind();
        using var server = Vm.Bind();
        var chunks = 0;
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Vm.Kernel.ChunkCopied = () =>
        {
            if (Interlocked.Increment(ref chunks) != 1) return;
            parked.SetResult();
            resume.Task.Wait(Patience);
        };
        var copying = OnThread(() => parties.Third.VCopy(parties.A.Endpoint, new(parties.ABuffer), parties.B.Endpoint,
            new(parties.BBuffer), MaxCopy));
        await parked.Task.WaitAsync(Patience);
        await RoundTripsAsync(client, server, 100);
        // A snapshot takes every slot's lock in turn, the parties' too: none is held across the parked chunk.
        Assert.StartsWith("RECEIVING", ProcOf(parties.B.Endpoint)!.State);
        Assert.Equal(1, Volatile.Read(ref chunks));
        Assert.False(copying.IsCompleted);
        resume.SetResult();
        Assert.Equal(IpcStatus.Ok, await copying.WaitAsync(Patience));
        Assert.Equal(MaxCopy / IpcKernel.ChunkBytes, chunks);
        Assert.Equal(parties.Source, parties.Target);
        await parties.ReleaseAsync(Patience);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_second_copy_naming_a_pinned_party_is_Busy_and_a_delivery_to_it_arrives_after_the_copy()
    {
        using var parties = await PartiesAsync(4 * IpcKernel.ChunkBytes);
        using var other = Vm.Bind();
        var otherBuffer = other.RegisterBuffer(new byte[1], BufferAccess.ReadWrite);
        IpcStatus? busy = null, delivered = null;
        bool? receivedEarly = null;
        Vm.Kernel.ChunkCopied = () =>
        {
            if (busy is not null) return;
            busy = other.VCopy(Endpoint.Self, new(otherBuffer), parties.B.Endpoint, new(parties.BBuffer), 1);
            delivered = other.SendNb(parties.B.Endpoint, Msg(7, 42));
            receivedEarly = parties.BWaits.IsCompleted;
        };
        Assert.Equal(IpcStatus.Ok, parties.Copy());
        Assert.Equal(IpcStatus.Busy, busy);
        Assert.Equal(IpcStatus.Ok, delivered);
        Assert.False(receivedEarly);
        var (status, message) = await parties.BWaits.WaitAsync(Patience);
        Assert.Equal(IpcStatus.Ok, status);
        Assert.Equal(other.Endpoint, message.Source);
        Assert.Equal(42, message.GetInt(0));
        Assert.Equal(parties.Source, parties.Target);
        Assert.Equal(IpcStatus.Ok, parties.Third.Send(parties.A.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, (await parties.AWaits.WaitAsync(Patience)).Status);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_party_that_dies_mid_copy_ends_the_copy(bool sourceDies)
    {
        using var parties = await PartiesAsync(4 * IpcKernel.ChunkBytes);
        var chunks = 0;
        Vm.Kernel.ChunkCopied = () =>
        {
            if (Interlocked.Increment(ref chunks) == 1) (sourceDies ? parties.A : parties.B).Dispose();
        };
        Assert.Equal(sourceDies ? IpcStatus.SrcDied : IpcStatus.DstDied, parties.Copy());
        Assert.Equal(1, chunks);
        var chunk = IpcKernel.ChunkBytes;
        Assert.True(parties.Source.AsSpan(0, chunk).SequenceEqual(parties.Target.AsSpan(0, chunk)));
        Assert.Equal(new byte[parties.Target.Length - chunk], parties.Target[chunk..]);
        var dead = sourceDies ? parties.AWaits : parties.BWaits;
        Assert.Equal(IpcStatus.NotBound, (await dead.WaitAsync(Patience)).Status);
        var survivor = sourceDies ? parties.B : parties.A;
        Assert.Equal(IpcStatus.Ok, parties.Third.Send(survivor.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, (await (sourceDies ? parties.BWaits : parties.AWaits).WaitAsync(Patience)).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pinned_party_whose_call_is_cancelled_hears_of_it_only_after_the_copy()
    {
        using var parties = await PartiesAsync(4 * IpcKernel.ChunkBytes, bReceivesAsync: true);
        bool? endedEarly = null;
        Vm.Kernel.ChunkCopied = () =>
        {
            if (endedEarly is not null) return;
            parties.Cancel.Cancel();
            endedEarly = parties.BWaits.IsCompleted;
        };
        Assert.Equal(IpcStatus.Ok, parties.Copy());
        Assert.False(endedEarly);
        Assert.Equal(IpcStatus.TimedOut, (await parties.BWaits.WaitAsync(Patience)).Status);
        Assert.Equal(parties.Source, parties.Target);
        AssertNoTrace(parties.B.Endpoint);
        Assert.Equal(IpcStatus.Ok, parties.Third.Send(parties.A.Endpoint, Msg(1), Patience));
        Assert.Equal(IpcStatus.Ok, (await parties.AWaits.WaitAsync(Patience)).Status);
    }

    // A (receiving from Third) holds the source buffer, B (receiving from ANY) the target; Third copies A to B.
    private async Task<Parties> PartiesAsync(int bytes, bool bReceivesAsync = false)
    {
        var parties = new Parties(Vm, bytes);
        parties.AWaits = ReceiveOnThread(parties.A, parties.Third.Endpoint, Patience);
        parties.BWaits = bReceivesAsync
            ? parties.B.ReceiveAsync(Endpoint.Any, parties.Cancel.Token).AsTask()
                .ContinueWith(t => (t.Result.Status, t.Result.Message), TaskScheduler.Default)
            : ReceiveOnThread(parties.B, Endpoint.Any, Patience);
        await AwaitState(parties.A.Endpoint, "RECEIVING");
        await AwaitState(parties.B.Endpoint, "RECEIVING");
        return parties;
    }

    private sealed class Parties : IDisposable
    {
        internal Parties(Vm vm, int bytes)
        {
            A = vm.Bind();
            B = vm.Bind();
            Third = vm.Bind();
            Source = new byte[bytes];
            new Random(bytes).NextBytes(Source);
            Target = new byte[bytes];
            ABuffer = A.RegisterBuffer(Source, BufferAccess.Read);
            BBuffer = B.RegisterBuffer(Target, BufferAccess.Write);
        }

        internal EndpointHandle A { get; }
        internal EndpointHandle B { get; }
        internal EndpointHandle Third { get; }
        internal byte[] Source { get; }
        internal byte[] Target { get; }
        internal int ABuffer { get; }
        internal int BBuffer { get; }
        internal CancellationTokenSource Cancel { get; } = new();
        internal Task<(IpcStatus Status, Message Message)> AWaits { get; set; } = null!;
        internal Task<(IpcStatus Status, Message Message)> BWaits { get; set; } = null!;

        internal IpcStatus Copy() => Third.VCopy(A.Endpoint, new(ABuffer), B.Endpoint, new(BBuffer), Source.Length);

        internal async Task ReleaseAsync(TimeSpan patience)
        {
            Assert.Equal(IpcStatus.Ok, Third.Send(A.Endpoint, new Message(1), patience));
            Assert.Equal(IpcStatus.Ok, Third.Send(B.Endpoint, new Message(1), patience));
            Assert.Equal(IpcStatus.Ok, (await AWaits.WaitAsync(patience)).Status);
            Assert.Equal(IpcStatus.Ok, (await BWaits.WaitAsync(patience)).Status);
        }

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            Third.Dispose();
            Cancel.Dispose();
        }
    }
}
