using Akka.Actor;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Transport;

/// <summary>
/// The frame of the actor↔actor round trips between two processes (IPC1, IPC2, IPC3): the server actors live in the
/// child (<see cref="CrossProcessPeer"/>, slots 0..pairs−1), the client actors here at slots 8 + i, all endpoints of
/// one shared VM. Rounds run as in the one-process <see cref="ActorPairs"/>: a reused <see cref="M3Round"/> per
/// client, and the invocation ends when every client signalled its last round trip.
/// </summary>
public abstract class ActorPairsAcross
{
    /// <summary>Round trips per invocation, shared by the pairs.</summary>
    protected const int RoundTripsPerInvoke = 20_000;
    private const int FirstClientSlot = 8;

    private CrossProcessVm? _host;
    private ClientRounds? _rounds;

    /// <summary>Client/server pairs running at once (a <c>[Params]</c> in each case).</summary>
    public abstract int Pairs { get; set; }

    /// <summary>The test the child's servers answer.</summary>
    protected abstract CrossProcessPeer.Test Test { get; }

    /// <summary>Props of the client bound to <paramref name="slot"/> that talks to <paramref name="server"/>.</summary>
    protected abstract Props ClientProps(int slot, Endpoint server, RoundSignal signal);

    /// <summary>Starts the child's servers, binds the clients and runs one warm-up round.</summary>
    [BenchmarkDotNet.Attributes.GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _host = CrossProcessVm.Start(Test, CrossProcessPeer.ActorServer, Pairs);
        _rounds = new ClientRounds(Pairs, _host.Describe);
        for (var pair = 0; pair < Pairs; pair++)
        {
            var props = ClientProps(FirstClientSlot + pair, _host.Servers[pair], _rounds.Signal);
            _rounds.Set(pair, _host.Vm.ActorOf(props, $"client-{pair}"));
            M3Host.WaitBound(_host.Vm, FirstClientSlot + pair);
        }
        _rounds.Warm(RoundTripsPerInvoke);
    }, Cleanup);

    /// <summary>Leaves the VM (its clients unbind) and kills the child.</summary>
    [BenchmarkDotNet.Attributes.GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            _host?.Dispose();
        }
        finally
        {
            _host = null;
            _rounds?.Dispose();
            _rounds = null;
        }
    }

    /// <summary>One round: every client does its share of <see cref="RoundTripsPerInvoke"/> and signals.</summary>
    protected void RunRound() => _rounds!.Run();
}
