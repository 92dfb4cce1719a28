using Akka.Actor;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// The server node of the cross-node benchmarks that run two node processes: this program started as a child with
/// <c>peer m3-node &lt;pairs&gt;</c> (<see cref="Peers.Processes.PeerServer"/>) starts node 1 of the VM with an echo
/// server on system slots 0..pairs-1 and reports its cluster address; the parent's node 2 joins it. The node lives
/// until the child ends (the parent closes its stdin, or kills it).
/// </summary>
public static class ClusterNodePeer
{
    private static BridgeNode? _node;

    /// <summary>Starts the node and its servers; returns the seed address (<c>127.0.0.1:port</c>).</summary>
    public static string Serve(string address)
    {
        var pairs = int.Parse(address, System.Globalization.CultureInfo.InvariantCulture);
        _node = BridgeNode.Start(1, seed: null);
        for (var pair = 0; pair < pairs; pair++)
            _node.Vm.ActorOf(Props.Create(() => new EchoServer(pair)), $"server-{pair}");
        for (var pair = 0; pair < pairs; pair++) M3.M3Host.WaitBound(_node.Vm, pair);
        return $"127.0.0.1:{_node.Port}";
    }

    // Replies with the request. A failed reply ends the child loudly: the parent's calls then fail with NotConnected,
    // and the benchmark with them, rather than waiting for a reply that will not come.
    private sealed class EchoServer(int slot) : EndpointActor(slot)
    {
        protected override void OnMessage(in Message m)
        {
            var status = Reply(m.Source, in m);
            if (status == IpcStatus.Ok) return;
            Console.Error.WriteLine($"m3-node peer: reply to {m.Source} failed with {status}: {LastError}");
            Environment.Exit(3);
        }
    }
}
