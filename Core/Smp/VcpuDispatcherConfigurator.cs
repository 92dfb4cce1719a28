using Akka.Configuration;
using Akka.Dispatch;

namespace M3Actors.Smp;

/// <summary>
/// Creates the <see cref="VcpuDispatcher"/> for a HOCON section with
/// <c>type = "M3Actors.Smp.VcpuDispatcherConfigurator, M3Actors.Core"</c>. The configuration is validated here, so
/// a bad section fails when the dispatcher is first looked up; the vCPU threads start on the first <see cref="Dispatcher"/> call.
/// </summary>
public sealed class VcpuDispatcherConfigurator : MessageDispatcherConfigurator
{
    private readonly VcpuDispatcher _dispatcher;

    /// <summary>Called by Akka with the dispatcher's section (falling back to the default dispatcher's).</summary>
    /// <param name="config">The dispatcher's HOCON section.</param>
    /// <param name="prerequisites">The actor system's event stream, scheduler and settings.</param>
    /// <exception cref="ConfigurationException">A key has a value the dispatcher cannot run with.</exception>
    public VcpuDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
        _dispatcher = new VcpuDispatcher(this, VcpuDispatcherSettings.Parse(config));
    }

    /// <summary>The single dispatcher instance of this section, its vCPU threads started and pinned.</summary>
    public override MessageDispatcher Dispatcher()
    {
        _dispatcher.EnsureStarted();
        return _dispatcher;
    }
}
