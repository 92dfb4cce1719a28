using System.Net;
using System.Net.Sockets;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>A child that listens on a socket; the parent opens one connection per pair.</summary>
public abstract class SocketPingPong : ProcessPingPong
{
    /// <summary>The peer kind (<see cref="PeerServer.UnixSocket"/> or <see cref="PeerServer.Tcp"/>).</summary>
    protected abstract string Kind { get; }

    /// <summary>The address the child should listen on.</summary>
    protected abstract string ListenAddress();

    /// <summary>The endpoint to connect to, from the address the child reported.</summary>
    protected abstract EndPoint EndPointOf(string reportedAddress);

    /// <summary>Called once every pair is connected (e.g. to unlink a socket file nobody needs any more).</summary>
    protected abstract void Connected(string reportedAddress);

    /// <inheritdoc />
    protected override (PeerProcess Peer, StreamLink[] Links) Open(int pairs)
    {
        var peer = PeerProcess.Start(Kind, ListenAddress());
        var links = new List<StreamLink>();
        try
        {
            var endPoint = EndPointOf(peer.Address);
            for (var i = 0; i < pairs; i++)
            {
                var protocol = endPoint.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp;
                var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, protocol);
                socket.Connect(endPoint);
                if (protocol == ProtocolType.Tcp)
                {
                    socket.NoDelay = true;
                }
                var stream = new NetworkStream(socket, ownsSocket: true);
                links.Add(new StreamLink(stream, stream));
            }
            Connected(peer.Address);
            return (peer, links.ToArray());
        }
        catch
        {
            links.ForEach(link => link.Dispose());
            peer.Dispose();
            throw;
        }
    }
}
