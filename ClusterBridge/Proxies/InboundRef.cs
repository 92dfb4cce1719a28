using Akka.Actor;
using M3Actors.ClusterBridge.Frames;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// Where one peer node's batches arrive: a ref with no actor behind it, registered under
/// <c>/temp/m3b-n{peer}</c> (<see cref="NameFor"/>), so Akka.Remote's endpoint reader hands each batch to
/// <see cref="InboundFrames"/> on its own thread instead of enqueueing it in the node proxy's mailbox. That saves one
/// mailbox hop (a thread wake-up) per batch on each node: a Tell's recipient is reached from the reader directly too.
/// Anything that is not a batch goes on to the proxy.
/// </summary>
internal sealed class InboundRef(ActorPath path, IActorRefProvider provider, InboundFrames inbound, IActorRef proxy)
    : MinimalActorRef
{
    /// <summary>The ref's name under <c>/temp</c> on the node that receives from <paramref name="peerId"/>.</summary>
    internal static string NameFor(int peerId) => $"m3b-n{peerId}";

    /// <inheritdoc />
    public override ActorPath Path => path;

    /// <inheritdoc />
    public override IActorRefProvider Provider => provider;

    /// <inheritdoc />
    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is FrameBatch batch) inbound.Arrived(batch);
        else proxy.Tell(message, sender);
    }
}
