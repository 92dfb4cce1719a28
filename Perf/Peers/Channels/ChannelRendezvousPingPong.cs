using System.Threading.Channels;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Peers.Channels;

/// <summary>
/// .NET 10's rendezvous channel (capacity 0): a write completes only when a reader takes the item, a direct
/// writer→reader hand-off, the closest built-in relative of Minix's blocking <c>send</c>.
/// </summary>
[ReportAs("Channels rendezvous", "IPC2")]
public class ChannelRendezvousPingPong : ChannelPingPong
{
    /// <inheritdoc />
    protected override Channel<Payload64> CreateChannel() => Channel.CreateBounded<Payload64>(0);
}
