using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// IPC2 from thread/task endpoints to actor servers: each pair is a <see cref="ReplyServer"/> actor (system slot i)
/// and an <see cref="EndpointHandle"/> bound with <c>vm.Bind()</c>. <see cref="SendRecAsyncTask"/> runs one
/// thread-pool task per pair awaiting <c>SendRecAsync</c> in a loop (compare: Akka Ask from tasks);
/// <see cref="SendRecThread"/> runs one dedicated thread per pair calling the blocking <c>SendRec</c> (one pair runs
/// on the benchmark thread itself). Every call is awaited or returns before the invocation ends, so nothing is in
/// flight afterwards.
/// </summary>
public class Ipc2FromThreads
{
    private const int RoundTripsPerInvoke = 20_000;

    private M3Host? _host;
    private RoundSignal? _serverErrors;
    private Endpoint[] _servers = [];
    private EndpointHandle[] _handles = [];
    private Task[] _tasks = [];
    private SendRecThreads? _threads;

    /// <summary>Client/server pairs running at once.</summary>
    [Params(1, 4)]
    public int Pairs { get; set; }

    /// <summary>The dispatcher of the server actors (null: Akka's default dispatcher, the .NET thread pool).</summary>
    protected virtual string? ServerDispatcher => null;

    /// <summary>HOCON defining <see cref="ServerDispatcher"/>.</summary>
    protected virtual string ServerDispatcherHocon => "";

    /// <summary>Boots the VM, the servers and one bound handle per pair; warms both client kinds up.</summary>
    [GlobalSetup]
    public void Setup() => M3Host.SetUp(() =>
    {
        _host = M3Host.Start("ipc2-threads", ServerDispatcherHocon);
        _serverErrors = new RoundSignal(1);
        _servers = new Endpoint[Pairs];
        _handles = new EndpointHandle[Pairs];
        _tasks = new Task[Pairs];
        for (var pair = 0; pair < Pairs; pair++)
        {
            _host.Vm.ActorOf(ReplyServer.Props(pair, _serverErrors, ServerDispatcher), $"server-{pair}");
            _servers[pair] = _host.WaitBound(pair);
            _handles[pair] = _host.Vm.Bind(owner: $"client {pair}");
        }
        _threads = new SendRecThreads(_handles, _servers, _host.Describe);
        RunTasks(1);
        _threads.Run(1);
    }, Cleanup);

    /// <summary>Joins the client threads, unbinds the handles and ends the DRVS.</summary>
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
            _serverErrors?.Dispose();
            _serverErrors = null;
        }
    }

    /// <summary>One operation is one <c>await SendRecAsync</c> round trip from a thread-pool task.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    [ReportAs("M3Actors task", "IPC2")]
    public virtual void SendRecAsyncTask() => RunTasks(RoundTripsPerInvoke / Pairs);

    /// <summary>One operation is one blocking <c>SendRec</c> round trip from a dedicated thread.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    [ReportAs("M3Actors thread", "IPC2")]
    public virtual void SendRecThread() => _threads!.Run(RoundTripsPerInvoke / Pairs);

    private void RunTasks(int perPair)
    {
        for (var pair = 0; pair < Pairs; pair++)
        {
            var (handle, server) = (_handles[pair], _servers[pair]);
            _tasks[pair] = Task.Run(() => AsyncLoop(handle, server, perPair));
        }
        if (!Task.WaitAll(_tasks, M3Host.Timeout))
        {
            throw new TimeoutException($"SendRecAsync round did not finish within {M3Host.Timeout}.{Environment.NewLine}{_host!.Describe()}");
        }
    }

    private static async Task AsyncLoop(EndpointHandle handle, Endpoint server, int roundTrips)
    {
        var request = new Message(1);
        for (var i = 0; i < roundTrips; i++)
        {
            var result = await handle.SendRecAsync(server, request).ConfigureAwait(false);
            if (result.Status != IpcStatus.Ok)
            {
                throw new IpcException(result.Status, $"SendRecAsync failed: {handle.LastError ?? result.Status.Describe()}");
            }
        }
    }
}
