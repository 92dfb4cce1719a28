using M3Actors.Kernel;

namespace M3Actors.TransportHost;

/// <summary>
/// The port of an endpoint the host binds: each wakeup of its owner prints a line (<c>woken &lt;slot&gt;
/// completed|pending</c>), as a death the host reaps does, so a test sees every wakeup the kernel sends here.
/// </summary>
internal sealed class PrintingPort(int slot, Action<string> print) : IEndpointPort
{
    /// <inheritdoc />
    public void Completed() => print($"woken {slot} completed");

    /// <inheritdoc />
    public void Pending() => print($"woken {slot} pending");
}
