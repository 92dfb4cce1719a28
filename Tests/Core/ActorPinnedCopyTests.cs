using Akka.Actor;
using M3Actors.Kernel;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// An idle endpoint actor that a chunked vcopy pins as its blocked party is not withdrawn from its receive to run an
/// Akka message until the copy ends: the handler would see a half-copied buffer.
/// </summary>
public sealed class ActorPinnedCopyTests(ITestOutputHelper output) : IpcTestKit(output)
{
    private const int Bytes = 4 * IpcKernel.ChunkBytes;

    // How long the parked copy gives the handler to run too early; with the rule broken it starts within microseconds.
    private static readonly TimeSpan TooEarly = TimeSpan.FromMilliseconds(500);

    [Fact(Timeout = 30_000)]
    public async Task An_Akka_message_to_a_pinned_idle_actor_runs_after_the_copy_and_sees_every_byte()
    {
        var source = new byte[Bytes];
        new Random(7).NextBytes(source);
        var actor = Vm.ActorOf(Props.Create(() => new TargetActor(TestActor, source)), "target");
        actor.Tell(new TargetActor.WhoAmI());
        var (endpoint, buffer) = ExpectMsg<(Endpoint, int)>(Patience);
        await AwaitState(endpoint, "RECEIVING from ANY (idle)");
        using var copier = Vm.Bind(owner: "copier");
        var from = copier.RegisterBuffer(source, BufferAccess.Read);

        using var handlerRan = new ManualResetEventSlim();
        var ranMidCopy = (bool?)null;
        var chunks = 0;
        Vm.Kernel.ChunkCopied = () =>
        {
            if (Interlocked.Increment(ref chunks) != 1) return;
            actor.Tell(new TargetActor.Check(handlerRan));
            ranMidCopy = handlerRan.Wait(TooEarly);
        };
        var status = await OnThread(() =>
            copier.VCopy(Endpoint.Self, new BufferAddress(from), endpoint, new BufferAddress(buffer), Bytes));

        Assert.Equal(IpcStatus.Ok, status);
        Assert.False(ranMidCopy);
        Assert.True(ExpectMsg<TargetActor.Checked>(Patience).WholeCopy);
        await AwaitState(endpoint, "RECEIVING from ANY (idle)");
    }

    /// <summary>Registers a writable buffer; on Check compares it with the copy's source.</summary>
    private sealed class TargetActor(IActorRef probe, byte[] expected) : EndpointActor
    {
        private readonly byte[] _target = new byte[expected.Length];
        private int _buffer;

        public sealed record WhoAmI;
        public sealed record Check(ManualResetEventSlim Ran);
        public sealed record Checked(bool WholeCopy);

        protected override void PreStart()
        {
            base.PreStart();
            _buffer = RegisterBuffer(_target, BufferAccess.Write);
        }

        protected override void OnMessage(in Message m) => probe.Tell(m);

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case WhoAmI: probe.Tell((Endpoint, _buffer)); break;
                case Check check:
                    check.Ran.Set();
                    probe.Tell(new Checked(_target.AsSpan().SequenceEqual(expected)));
                    break;
                default: Unhandled(message); break;
            }
        }
    }
}
