using M3Actors.Tracing;

namespace M3Actors.Kernel;

/// <summary>
/// The VM's message trace as the kernel sees it: the primitives call its hooks (one line each, where the event
/// happens); off, each is one volatile read and a branch. Recording and rendering live in Core/Tracing.
/// </summary>
internal sealed partial class IpcKernel
{
    internal KernelTrace Trace { get; } = new();
}
