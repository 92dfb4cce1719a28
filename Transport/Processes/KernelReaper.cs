using M3Actors.Kernel;

namespace M3Actors.Transport.Processes;

/// <summary>
/// The death callback of a shared VM's attachment: when this process wins the reap of another attached process, it
/// runs the kernel's repair and release for that process's process-table entry (<see cref="IpcKernel.Reap"/>), so
/// the dead process's lock words are taken over, its half-done sections repaired and its partners released with
/// DstDied / SrcDied. A death seen while attaching, before this process's kernel exists, is kept and reaped as soon
/// as the kernel is there (the attach's own join reaps the dead it finds first).
/// </summary>
internal sealed class KernelReaper
{
    private readonly Lock _gate = new();
    private readonly List<int> _early = [];
    private IpcKernel? _kernel;
    private int _unbound;

    /// <summary>Endpoints unbound by this process's reaps so far (tests, the example).</summary>
    public int Unbound => Volatile.Read(ref _unbound);

    /// <summary>The callback for <see cref="Arena.Arena.Attach"/>: reaps <paramref name="dead"/>'s endpoints.</summary>
    public void OnDeath(DeadProcess dead)
    {
        IpcKernel? kernel;
        lock (_gate)
        {
            kernel = _kernel;
            if (kernel is null)
            {
                if (!_early.Contains(dead.Index)) _early.Add(dead.Index);
                return;
            }
        }
        Interlocked.Add(ref _unbound, kernel.Reap(dead.Index));
    }

    /// <summary>Reaps through <paramref name="kernel"/> from now on, and the deaths seen before it existed.</summary>
    public void Start(IpcKernel kernel)
    {
        int[] early;
        lock (_gate)
        {
            _kernel = kernel;
            early = [.. _early];
            _early.Clear();
        }
        foreach (var index in early) Interlocked.Add(ref _unbound, kernel.Reap(index));
    }
}
