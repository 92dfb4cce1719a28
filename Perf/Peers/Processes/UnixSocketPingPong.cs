using System.Net;
using System.Net.Sockets;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>Unix domain stream sockets to a child process: the reference peer of the report's IPC ratios.</summary>
[ReportAs("Unix domain socket", "IPC2")]
public class UnixSocketPingPong : SocketPingPong
{
    /// <inheritdoc />
    protected override string Kind => PeerServer.UnixSocket;

    /// <inheritdoc />
    protected override string ListenAddress() => ScratchNames.NewPath(Path.GetTempPath(), "uds", ".sock");

    /// <inheritdoc />
    protected override EndPoint EndPointOf(string reportedAddress) => new UnixDomainSocketEndPoint(reportedAddress);

    /// <inheritdoc />
    protected override void Connected(string reportedAddress) => File.Delete(reportedAddress);
}
