using System.Threading.Channels;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Channels;

/// <summary>Channels with room for one message: a writer finishes as soon as its request is buffered.</summary>
[ReportAs("Channels bounded(1)", "IPC2")]
public class ChannelBounded1PingPong : ChannelPingPong
{
    /// <inheritdoc />
    protected override Channel<Payload64> CreateChannel() => Channel.CreateBounded<Payload64>(1);
}
