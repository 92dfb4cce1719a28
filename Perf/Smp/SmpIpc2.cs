using Akka.Actor;
using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
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

    private Drvs? _drvs;
    private IActorRef[] _clients = [];
    private CountdownEvent _done = new(0);
    private SmpRound _round = new(0, null!);

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
        _done = new CountdownEvent(Pairs);
        _clients = new IActorRef[Pairs];
        for (var i = 0; i < Pairs; i++)
        {
            var slot = i;
            int? hint = Dispatcher is "affinity-static-same-vcpu" or "affinity-dynamic" ? i % Vcpus : null;
            vm.ActorOf(Props.Create(() => new SmpEchoServer(slot)), $"server-{i}", VcpuRole.Server, hint);
            if (!vm.WhenBoundAsync(i, RoundTimeout).Wait(RoundTimeout)) throw new TimeoutException($"server {i} did not bind");
            _clients[i] = vm.ActorOf(Props.Create(() => new SmpEchoClient(Endpoint.System(slot))), $"client-{i}", VcpuRole.Client, hint);
        }
        _round = new SmpRound(10, _done);
        RunRound();
        _round = new SmpRound(RoundTripsPerInvoke / Pairs, _done);
    }

    /// <summary>Ends the DRVS (and the VM's vCPU threads with its ActorSystem).</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_drvs is { IsInitialised: true } drvs && !drvs.EndAsync().Wait(RoundTimeout))
            throw new TimeoutException("the DRVS did not end in time");
        _drvs = null;
        _done.Dispose();
    }

    /// <summary>One operation is one round trip; each pair does its share of the invoke's round trips.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void RoundTrips() => RunRound();

    private void RunRound()
    {
        _done.Reset();
        foreach (var client in _clients) client.Tell(_round, ActorRefs.NoSender);
        if (!_done.Wait(RoundTimeout)) throw new TimeoutException($"SMP IPC2 round did not finish within {RoundTimeout}.");
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

/// <summary>Starts a round of <paramref name="RoundTrips"/> round trips per client; each client signals <paramref name="Done"/> once.</summary>
public sealed record SmpRound(int RoundTrips, CountdownEvent Done);

/// <summary>IPC2's server: replies with the request.</summary>
public sealed class SmpEchoServer(int slot) : EndpointActor(slot)
{
    /// <inheritdoc />
    protected override void OnMessage(in Message m) => Reply(m.Source, in m);
}

/// <summary>IPC2's client: sendrec after sendrec; allocation-free per round trip.</summary>
public sealed class SmpEchoClient(Endpoint server) : EndpointActor
{
    private Message _request = new(1);
    private SmpRound? _round;
    private int _left;

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        if (message is not SmpRound round)
        {
            Unhandled(message);
            return;
        }
        (_round, _left) = (round, round.RoundTrips);
        Next();
    }

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
    }

    /// <inheritdoc />
    protected override void OnReply(IpcStatus status, in Message reply)
    {
        if (status != IpcStatus.Ok) throw new IpcException(status, "IPC2 round trip failed");
        if (--_left == 0) _round!.Done.Signal();
        else Next();
    }

    private void Next()
    {
        var status = SendRec(server, in _request);
        if (status != IpcStatus.Suspended) throw new IpcException(status, "sendrec did not suspend");
    }
}
