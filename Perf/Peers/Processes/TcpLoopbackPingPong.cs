using System.Net;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>TCP over 127.0.0.1 with Nagle off (NoDelay) on both ends, to a child process.</summary>
[ReportAs("TCP loopback", "IPC2")]
public class TcpLoopbackPingPong : SocketPingPong
{
    /// <inheritdoc />
    protected override string Kind => PeerServer.Tcp;

    /// <inheritdoc />
    protected override string ListenAddress() => "127.0.0.1:0";

    /// <inheritdoc />
    protected override EndPoint EndPointOf(string reportedAddress) => IPEndPoint.Parse(reportedAddress);

    /// <inheritdoc />
    protected override void Connected(string reportedAddress)
    {
        // A TCP listener leaves nothing behind to tidy once connected.
    }
}
