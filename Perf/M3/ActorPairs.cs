using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.M3;

/// <summary>
/// The frame of the actor↔actor round-trip tests (IPC1, IPC2, IPC3): <see cref="Pairs"/> client/server pairs of
/// endpoint actors in one VM. Setup boots the DRVS and VM, binds server i to system slot i and client i to slot
/// 8 + i (waiting for each binding), then runs one round so every actor is warm. An invocation tells each client a
/// reused <see cref="M3Round"/> and waits until every client has signalled its last round trip: nothing is in flight
/// afterwards, and nothing is allocated per round trip by the plumbing.
/// </summary>
public abstract class ActorPairs
{
    /// <summary>Round trips per invocation, shared by the pairs (as the Akka Tell peer does).</summary>
    protected const int RoundTripsPerInvoke = 20_000;
    private const int FirstClientSlot = 8;

    private M3Host? _host;
    private ClientRounds? _rounds;

    /// <summary>Client/server pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>The VM's name (1–15 letters, digits, '-').</summary>
    protected abstract string VmName { get; }

    /// <summary>False: every pair lives in VM 0 (one IPC kernel, one kernel lock). True: pair i lives in its own VM i,
    /// so pairs share no kernel lock (each VM also has its own ActorSystem, all on the same .NET thread pool).</summary>
    protected virtual bool VmPerPair => false;

    /// <summary>Extra HOCON for VM 0 (e.g. the message trace's switch); none by default.</summary>
    protected virtual string VmHocon => "";

    /// <summary>Props of the server bound to <paramref name="slot"/>.</summary>
    protected abstract Props ServerProps(int slot, RoundSignal signal);

    /// <summary>Props of the client bound to <paramref name="slot"/> that talks to <paramref name="server"/>.</summary>
    protected abstract Props ClientProps(int slot, Endpoint server, RoundSignal signal);

    /// <summary>Boots the VM and the pairs, and runs one warm-up round.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _host = M3Host.Start(VmName, VmHocon);
        _rounds = new ClientRounds(Pairs, _host.Describe);
        for (var pair = 0; pair < Pairs; pair++)
        {
            var vm = VmPerPair && pair > 0 ? _host.StartVm(pair, $"{VmName}-{pair}") : _host.Vm;
            vm.ActorOf(ServerProps(pair, _rounds.Signal), $"server-{pair}");
            var server = M3Host.WaitBound(vm, pair);
            var client = ClientProps(FirstClientSlot + pair, server, _rounds.Signal);
            _rounds.Set(pair, vm.ActorOf(client, $"client-{pair}"));
            M3Host.WaitBound(vm, FirstClientSlot + pair);
        }
        _rounds.Warm(RoundTripsPerInvoke);
    }, Cleanup);

    /// <summary>Ends the DRVS (its VM, endpoints and ActorSystem).</summary>
    [GlobalCleanup]
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
