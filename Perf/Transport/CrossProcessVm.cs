using M3Actors.Perf.M3;
using M3Actors.Perf.Peers.Processes;
using M3Actors.Transport;

namespace M3Actors.Perf.Transport;

/// <summary>
/// The parent's side of one cross-process case: a private arena directory under /dev/shm, this process attached to
/// a shared VM in it, and a child (<see cref="CrossProcessPeer"/>) attached to the same VM serving at system slots
/// 0..pairs−1. <see cref="Dispose"/> ends this process's part, kills the child and removes the directory, so no
/// arena outlives the case.
/// </summary>
public sealed class CrossProcessVm : IDisposable
{
    private readonly Drvs _drvs;
    private PeerProcess? _child;

    private CrossProcessVm(string directory, Drvs drvs, Vm vm)
    {
        Directory = directory;
        _drvs = drvs;
        Vm = vm;
    }

    /// <summary>The VM id (alone in its directory, so any id will do).</summary>
    public const int VmId = 1;

    /// <summary>The arena directory (0700, this case's alone).</summary>
    public string Directory { get; }

    /// <summary>This process's part of the shared VM.</summary>
    public Vm Vm { get; }

    /// <summary>The servers the child bound, pair i at slot i.</summary>
    public Endpoint[] Servers { get; private set; } = [];

    /// <summary>Attaches, starts the child with <paramref name="pairs"/> servers of <paramref name="kind"/> for
    /// <paramref name="test"/>, and waits until every server is bound. Cleans up itself if any step fails.</summary>
    public static CrossProcessVm Start(CrossProcessPeer.Test test, string kind, int pairs)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("A VM spans processes on Linux only (docs/transport.md).");
        }
        var directory = ScratchNames.NewPath(ScratchNames.Shm, "vm");
        // The transport refuses a directory that others may read or write.
        System.IO.Directory.CreateDirectory(directory,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        CrossProcessVm? host = null;
        try
        {
            host = Attach(directory);
            var address = CrossProcessPeer.Address(directory, VmId, test, kind, pairs);
            host._child = PeerProcess.Start(PeerServer.M3, address);
            host.Servers = Enumerable.Range(0, pairs).Select(slot => M3Host.WaitBound(host.Vm, slot)).ToArray();
            return host;
        }
        catch
        {
            if (host is null)
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            host?.Dispose();
            throw;
        }
    }

    private static CrossProcessVm Attach(string directory)
    {
        var drvs = Drvs.Start();
        try
        {
            return new CrossProcessVm(directory, drvs, drvs.AttachVm(CrossProcessPeer.Options(directory, VmId)));
        }
        catch
        {
            drvs.EndAsync().Wait(M3Host.Timeout);
            throw;
        }
    }

    /// <summary>The /proc view of the VM across both processes, for the message of a stalled round.</summary>
    public string Describe() => ProcView.Render(Vm.Snapshot());

    /// <summary>Ends this process's part first (nothing is in flight between invocations), then kills the
    /// child.</summary>
    public void Dispose()
    {
        try
        {
            if (!Vm.EndAsync().Wait(M3Host.Timeout) || !_drvs.EndAsync().Wait(M3Host.Timeout))
            {
                throw new TimeoutException($"The shared VM did not end within {M3Host.Timeout}.");
            }
        }
        finally
        {
            _child?.Dispose();
            _child = null;
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
