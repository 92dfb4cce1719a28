using System.IO.Pipes;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// Two anonymous pipes per pair (request, reply) whose child ends the peer inherits. These are real kernel pipes;
/// .NET's named pipes are Unix domain sockets on Linux, already covered by <see cref="UnixSocketPingPong"/>.
/// </summary>
[ReportAs("Anonymous pipes", "IPC2")]
public class PipePingPong : ProcessPingPong
{
    /// <inheritdoc />
    protected override (PeerProcess Peer, StreamLink[] Links) Open(int pairs)
    {
        var requests = Enumerable.Range(0, pairs)
            .Select(_ => new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable)).ToArray();
        var replies = Enumerable.Range(0, pairs)
            .Select(_ => new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable)).ToArray();
        var address = string.Join(';', Enumerable.Range(0, pairs)
            .Select(i => $"{requests[i].GetClientHandleAsString()},{replies[i].GetClientHandleAsString()}"));
        PeerProcess peer;
        try
        {
            peer = PeerProcess.Start(PeerServer.Pipe, address);
        }
        catch
        {
            foreach (var pipe in requests.Concat(replies))
            {
                pipe.Dispose();
            }
            throw;
        }
        // The child holds its ends now; dropping ours lets a dead child show up as end of stream.
        foreach (var pipe in requests.Concat(replies))
        {
            pipe.DisposeLocalCopyOfClientHandle();
        }
        return (peer, Enumerable.Range(0, pairs).Select(i => new StreamLink(requests[i], replies[i])).ToArray());
    }
}
