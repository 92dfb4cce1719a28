using Akka.Dispatch;

namespace M3Actors.Smp;

/// <summary>
/// A task that belongs to no actor (<c>MessageDispatcher.Schedule</c>: continuations, scheduled work), run on the
/// .NET thread pool rather than on a vCPU: such a task may block, and on a vCPU it would stand in front of the actors
/// pinned there. A failure is reported to the event stream like a failed mailbox run, not thrown on a pool thread.
/// </summary>
internal sealed class PooledTask(IRunnable run, VcpuDispatcher dispatcher) : IThreadPoolWorkItem
{
    public void Execute()
    {
        try
        {
            run.Run();
        }
        catch (Exception e)
        {
            dispatcher.ReportRunFailure(e);
        }
    }
}
