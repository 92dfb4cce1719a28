using Akka.Actor;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// Node 1 of the cross-node benchmarks, in a child process of the benchmark (<see cref="Peers.Processes.PeerServer"/>):
/// <c>peer m3-node &lt;pairs&gt;</c> starts it with an echo server on system slots 0..pairs-1 (the IPC2 cases),
/// <c>peer m3-copy-node &lt;bytes&gt;</c> with a vcopy destination on system slot 0 (<see cref="Copy1AcrossNodes"/>).
/// Either reports its cluster address; the parent's node 2 joins it. The node lives until the child ends (the parent
/// closes its stdin, or kills it).
/// </summary>
public static class ClusterNodePeer
{
    /// <summary>The destination's slot in <see cref="ServeCopyDestination"/>.</summary>
    public const int CopyDestinationSlot = 0;

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

    /// <summary>
    /// Starts the node with a thread endpoint on <see cref="CopyDestinationSlot"/> whose buffer 0 takes
    /// <paramref name="bytes"/> bytes (write access) and which stays blocked in its receive, as vcopy requires of a
    /// party other than the requester; returns the seed address.
    /// </summary>
    public static string ServeCopyDestination(string bytes)
    {
        _node = BridgeNode.Start(1, seed: null);
        var destination = _node.Vm.Bind(slot: CopyDestinationSlot, owner: "copy destination");
        destination.RegisterBuffer(new byte[int.Parse(bytes, System.Globalization.CultureInfo.InvariantCulture)],
            BufferAccess.Write);
        // Receives for as long as the child lives: nothing is sent to it, so it stays blocked, a valid copy party.
        var receiver = new Thread(() =>
        {
            while (true)
            {
                var status = destination.Receive(Endpoint.Any, out _);
                if (status == IpcStatus.Ok) continue;
                Console.Error.WriteLine($"m3-copy-node peer: receive failed with {status}: {destination.LastError}");
                Environment.Exit(3);
            }
        }) { IsBackground = true, Name = "copy-destination" };
        receiver.Start();
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
