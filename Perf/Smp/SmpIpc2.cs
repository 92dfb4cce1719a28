using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;
using M3Actors.Smp;

namespace M3Actors.Perf.Smp;

/// <summary>
/// IPC2 actor ↔ actor (client endpoint actor sendrec → server endpoint actor reply) with <see cref="Pairs"/> pairs,
/// on Akka's default dispatcher (a VM without vCPUs) or on the VM's vCPUs — 2 of them, the machine's cores here —
/// under each policy. Placement: <c>affinity-static-same-vcpu</c> and <c>affinity-dynamic</c> put both ends of
/// pair i on vCPU i mod 2; <c>asymmetric</c> puts the servers on the reserved vCPU 0 and the clients on vCPU 1;
/// <c>symmetric</c> places nothing. One operation is one round trip; an invocation ends after every pair's last reply.
/// </summary>
[ReportAs("M3Actors actor", "IPC2")]
public class SmpIpc2
{
    private const int RoundTripsPerInvoke = 20_000;
    private const int Vcpus = 2;
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(1);

    private const int FirstClientSlot = 8;

    private Drvs? _drvs;
    private IActorRef[] _clients = [];
    private RoundSignal? _signal;
    private M3Round _round = new(1);

    /// <summary>Client/server pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Where the endpoint actors run.</summary>
    [Params("default", "symmetric", "affinity-static-same-vcpu", "affinity-dynamic", "asymmetric")]
    public string Dispatcher { get; set; } = "default";

    /// <summary>Boots the DRVS and VM, binds the pairs and runs one round so everything is started before timing.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _drvs = Drvs.Start();
        var vm = _drvs.StartVm(new VmOptions { Id = 1, Name = "smp-ipc2", Vcpus = OptionsFor(Dispatcher) });
        _signal = new RoundSignal(Pairs);
        _clients = new IActorRef[Pairs];
        for (var i = 0; i < Pairs; i++)
        {
            int? hint = Dispatcher is "affinity-static-same-vcpu" or "affinity-dynamic" ? i % Vcpus : null;
            vm.ActorOf(ReplyServer.Props(i, _signal), $"server-{i}", VcpuRole.Server, hint);
            var server = M3Host.WaitBound(vm, i);
            _clients[i] = vm.ActorOf(SendRecClient.Props(FirstClientSlot + i, server, _signal), $"client-{i}", VcpuRole.Client, hint);
            M3Host.WaitBound(vm, FirstClientSlot + i);
        }
        _round = new M3Round(10);
        RunRound();
        _round = new M3Round(RoundTripsPerInvoke / Pairs);
    }

    /// <summary>Ends the DRVS (and the VM's vCPU threads with its ActorSystem).</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_drvs is { IsInitialised: true } drvs && !drvs.EndAsync().Wait(RoundTimeout))
            throw new TimeoutException("the DRVS did not end in time");
        _drvs = null;
        _signal?.Dispose();
        _signal = null;
    }

    /// <summary>One operation is one round trip; each pair does its share of the invoke's round trips.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => RunRound();

    private void RunRound()
    {
        _signal!.Reset();
        foreach (var client in _clients) client.Tell(_round, ActorRefs.NoSender);
        _signal.Wait();
    }

    private static VcpuOptions? OptionsFor(string dispatcher) => dispatcher switch
    {
        "default" => null,
        "symmetric" => VcpuOptions.Of(Vcpus, SchedulingPolicy.Symmetric),
        "affinity-static-same-vcpu" => VcpuOptions.Of(Vcpus, SchedulingPolicy.AffinityStatic),
        "affinity-dynamic" => VcpuOptions.Of(Vcpus, SchedulingPolicy.AffinityDynamic),
        "asymmetric" => VcpuOptions.Of(Vcpus, SchedulingPolicy.Asymmetric, reservedVcpus: 1),
        _ => throw new ArgumentException($"unknown dispatcher '{dispatcher}'", nameof(dispatcher)),
    };
}
