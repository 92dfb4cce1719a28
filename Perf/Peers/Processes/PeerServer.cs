using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// The child side of the cross-process peers (<c>peer &lt;kind&gt; &lt;address&gt;</c>): echoes every 64-byte
/// request back as the reply, one thread per connection, until its stdin closes (the parent stopped or died).
/// </summary>
public static class PeerServer
{
    /// <summary>Pipe pairs: <c>requestFd,replyFd;…</c>, the inherited client ends of anonymous pipes.</summary>
    public const string Pipe = "pipe";

    /// <summary>Unix domain socket: the socket file path to listen on.</summary>
    public const string UnixSocket = "uds";

    /// <summary>TCP: <c>127.0.0.1:port</c> to listen on (port 0 picks a free one, reported in the ready line).</summary>
    public const string Tcp = "tcp";

    /// <summary>Shared-memory ring: <c>path|pairs|wait</c> of a <see cref="SharedRing"/> file the parent created.</summary>
    public const string Ring = "ring";

    /// <summary>M3 servers in a shared VM: the address of <see cref="Transport.CrossProcessPeer"/>.</summary>
    public const string M3 = "m3";

    /// <summary>Node 1 of the cross-node VM with its echo servers: the number of pairs (<see cref="Cluster.ClusterNodePeer"/>).</summary>
    public const string ClusterNode = "m3-node";

    /// <summary>
    /// Node 1 of the cross-node VM with a vcopy destination: the block size (<see cref="Cluster.ClusterNodePeer"/>).
    /// </summary>
    public const string ClusterCopyNode = "m3-copy-node";

    /// <summary>Akka.Remote pongers: the number of pairs (<see cref="Akka.AkkaPongPeer"/>).</summary>
    public const string AkkaPong = "akka-pong";

    /// <summary>Runs the peer; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args is not [var kind, var address])
        {
            Console.Error.WriteLine("usage: peer <pipe|uds|tcp|ring|m3|m3-node|m3-copy-node|akka-pong> <address>");
            return 2;
        }
        var served = kind switch
        {
            Pipe => ServePipes(address),
            UnixSocket => ServeSockets(Listen(new UnixDomainSocketEndPoint(address), ProtocolType.Unspecified), address),
            Tcp => ServeTcp(IPEndPoint.Parse(address)),
            Ring => ServeRing(address),
            M3 => Transport.CrossProcessPeer.Serve(address),
            ClusterNode => Cluster.ClusterNodePeer.Serve(address),
            ClusterCopyNode => Cluster.ClusterNodePeer.ServeCopyDestination(address),
            AkkaPong => Akka.AkkaPongPeer.Serve(address),
            _ => null,
        };
        if (served is null)
        {
            Console.Error.WriteLine($"peer: unknown kind '{kind}'");
            return 2;
        }
        Console.Out.WriteLine($"ready {served}");
        Console.Out.Flush();
        // The parent never writes to our stdin: end of file means it stopped or died, and we must not outlive it.
        while (Console.In.Read() >= 0)
        {
        }
        return 0;
    }

    private static string ServePipes(string address)
    {
        foreach (var pair in address.Split(';'))
        {
            var handles = pair.Split(',');
            var requests = new AnonymousPipeClientStream(PipeDirection.In, handles[0]);
            var replies = new AnonymousPipeClientStream(PipeDirection.Out, handles[1]);
            StartEcho(requests, replies);
        }
        return address;
    }

    // The ring stays mapped for the rest of this process's life: it ends when the parent closes our stdin.
    private static string ServeRing(string address)
    {
        var parts = address.Split('|');
        var pairs = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        SharedRing.Open(parts[0], pairs, Enum.Parse<RingWait>(parts[2])).StartEcho();
        return address;
    }

    private static string ServeTcp(IPEndPoint endPoint)
    {
        var listener = Listen(endPoint, ProtocolType.Tcp);
        return ServeSockets(listener, ((IPEndPoint)listener.LocalEndPoint!).ToString());
    }

    private static Socket Listen(EndPoint endPoint, ProtocolType protocol)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, protocol);
        listener.Bind(endPoint);
        listener.Listen();
        return listener;
    }

    private static string ServeSockets(Socket listener, string address)
    {
        var acceptor = new Thread(() =>
        {
            while (true)
            {
                var connection = listener.Accept();
                if (connection.AddressFamily != AddressFamily.Unix)
                {
                    connection.NoDelay = true;
                }
                var stream = new NetworkStream(connection, ownsSocket: true);
                StartEcho(stream, stream);
            }
        })
        { IsBackground = true, Name = "peer-accept" };
        acceptor.Start();
        return address;
    }

    private static void StartEcho(Stream requests, Stream replies)
    {
        var thread = new Thread(() => Echo(requests, replies)) { IsBackground = true, Name = "peer-echo" };
        thread.Start();
    }

    private static void Echo(Stream requests, Stream replies)
    {
        var buffer = new byte[Payload64.Length];
        while (true)
        {
            for (var filled = 0; filled < buffer.Length;)
            {
                var read = requests.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    // The parent closed this connection: its benchmark case is over.
                    return;
                }
                filled += read;
            }
            replies.Write(buffer);
        }
    }
}
