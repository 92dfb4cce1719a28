using BenchmarkDotNet.Attributes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.M3;

/// <summary>
/// <see cref="Ipc2FromThreads"/> with the server actors on a one-vCPU M3Actors dispatcher (affinity-static, the vCPU
/// pinned to a CPU, spinning briefly before it parks) instead of the thread pool: the placement that shortens the
/// server's wake-up when its clients are threads or tasks.
/// </summary>
public class Ipc2FromThreadsVcpu : Ipc2FromThreads
{
    private const int RoundTripsPerInvoke = 20_000;

    /// <inheritdoc />
    protected override string? ServerDispatcher => "bench-vcpu";

    /// <inheritdoc />
    protected override string ServerDispatcherHocon => """
        bench-vcpu {
          type = "M3Actors.Smp.VcpuDispatcherConfigurator, M3Actors.Core"
          vcpus = 1
          policy = affinity-static
        }
        """;

    /// <inheritdoc />
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    [ReportAs("M3Actors task, server on a vCPU", "IPC2")]
    public override void SendRecAsyncTask() => base.SendRecAsyncTask();

    /// <inheritdoc />
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    [ReportAs("M3Actors thread, server on a vCPU", "IPC2")]
    public override void SendRecThread() => base.SendRecThread();
}
