using System.Globalization;
using M3Actors.Perf.M3;
using M3Actors.Perf.Peers.Processes;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// The two node processes of the IPC2 cases across nodes: node 1 is a child process (<see cref="ClusterNodePeer"/>)
/// with an echo server actor at system slots 0..pairs−1, node 2 is this process, joined to node 1's cluster. Start
/// returns once every server's ghost is bound here; <see cref="Dispose"/> ends node 2 and stops node 1's process.
/// </summary>
public sealed class TwoNodeVm : IDisposable
{
    private PeerProcess? _serverNode;
    private BridgeNode? _clientNode;

    private TwoNodeVm()
    {
    }

    /// <summary>Node 2's part of the VM, where the clients bind.</summary>
    public Vm Vm => _clientNode!.Vm;

    /// <summary>The servers, pair i at system slot i (ghosts here, endpoint actors on node 1).</summary>
    public Endpoint[] Servers { get; private set; } = [];

    /// <summary>The clients <see cref="Start"/> bound on node 2 before it joined (none unless asked for).</summary>
    public EndpointHandle[] Clients { get; private set; } = [];

    /// <summary>The loopback ports of the two nodes' cluster members: node 1's, then node 2's.</summary>
    public int[] Ports =>
        [int.Parse(_serverNode!.Address.Split(':')[1], CultureInfo.InvariantCulture), _clientNode!.Port];

    /// <summary>Starts node 1 with <paramref name="pairs"/> servers and joins it from node 2 here, with
    /// <paramref name="clients"/> endpoints bound on node 2 before it joins (the directory then carries them in its
    /// one exchange at the join: bound later, each bind is a replicated write of the whole directory, seconds of
    /// traffic with hundreds of clients); cleans up itself if any step fails.</summary>
    public static TwoNodeVm Start(int pairs, int clients = 0)
    {
        var nodes = new TwoNodeVm();
        try
        {
            nodes._serverNode = PeerProcess.Start(PeerServer.ClusterNode, pairs.ToString(CultureInfo.InvariantCulture));
            nodes._clientNode = BridgeNode.Start(2, seed: nodes._serverNode.Address, beforeBridge: vm =>
                nodes.Clients = Enumerable.Range(0, clients).Select(c => vm.Bind(owner: $"client {c}")).ToArray());
            nodes.Servers = Enumerable.Range(0, pairs).Select(slot => M3Host.WaitBound(nodes.Vm, slot)).ToArray();
            return nodes;
        }
        catch
        {
            nodes.Dispose();
            throw;
        }
    }

    /// <summary>The /proc view of node 2's part (who waits on whom), for the message of a stalled round.</summary>
    public string Describe() => ProcView.Render(Vm.Snapshot());

    /// <summary>Unbinds the clients, ends node 2 (its other endpoints unbind as the VM ends) and stops node 1's
    /// process.</summary>
    public void Dispose()
    {
        try
        {
            foreach (var client in Clients) client.Dispose();
            Clients = [];
            _clientNode?.End();
        }
        finally
        {
            _serverNode?.Dispose();
            (_clientNode, _serverNode) = (null, null);
        }
    }
}
