using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;
using M3Actors.Perf.M3;

namespace M3Actors.Perf.Transport;

/// <summary>
/// IPC2 thread↔thread between two processes: pair i is a thread handle here calling the blocking <c>SendRec</c> and a
/// thread in the child (<see cref="CrossProcessPeer"/>) that receives ANY and replies, both endpoints of one shared VM.
/// The peers of this case are the pipe, Unix socket and shared-memory ring ping-pongs with the same pairs.
/// </summary>
[ReportAs("M3Actors thread, 2 processes", "IPC2")]
public class Ipc2ThreadsAcross
{
    private const int RoundTripsPerInvoke = 20_000;

    private CrossProcessVm? _host;
    private EndpointHandle[] _handles = [];
    private SendRecThreads? _threads;

    /// <summary>Client/server pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>Starts the child with its reply threads, binds one handle per pair and warms every pair up.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _host = CrossProcessVm.Start(CrossProcessPeer.Test.Ipc2, CrossProcessPeer.ThreadServer, Pairs);
        _handles = Enumerable.Range(0, Pairs).Select(pair => _host.Vm.Bind(owner: $"client {pair}")).ToArray();
        _threads = new SendRecThreads(_handles, _host.Servers, _host.Describe);
        _threads.Run(1);
    }, Cleanup);

    /// <summary>Joins the client threads, unbinds the handles, leaves the VM and kills the child.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            _threads?.Dispose();
            foreach (var handle in _handles) handle.Dispose();
            _host?.Dispose();
        }
        finally
        {
            _threads = null;
            _handles = [];
            _host = null;
        }
    }

    /// <summary>One operation is one blocking <c>SendRec</c> round trip to the other process.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public void SendRec() => _threads!.Run(RoundTripsPerInvoke / Pairs);
}
