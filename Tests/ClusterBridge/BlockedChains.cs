using Akka.TestKit;
using Xunit;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// Building blocks of the deadlock tests across nodes: chains of thread endpoints blocked in sends, set up one link
/// at a time and each link seen queued in /proc before the next is added.
/// </summary>
internal static class BlockedChains
{
    private static readonly TimeSpan Patience = BridgeNodes.Patience;

    /// <summary>Waits until each of <paramref name="slots"/> is bound (and so known) on nodes 1..count.</summary>
    internal static async Task AllBound(BridgeNodes nodes, int count, params int[] slots)
    {
        for (var n = 1; n <= count; n++)
            foreach (var slot in slots) await nodes[n].WhenBoundAsync(slot, Patience);
    }

    /// <summary>A blocking send of a message of <paramref name="type"/> on a thread of its own.</summary>
    internal static Task<IpcStatus> SendOnThread(EndpointHandle from, Endpoint to, int type) =>
        Task.Factory.StartNew(() => from.Send(to, new Message(type), Patience), TaskCreationOptions.LongRunning);

    /// <summary>Waits until <paramref name="node"/>'s /proc shows <paramref name="sender"/> queued on
    /// <paramref name="receiver"/>.</summary>
    internal static Task QueuedAt(this TestKitBase kit, Vm node, Endpoint receiver, Endpoint sender) =>
        kit.AwaitAssertAsync(() => Assert.Contains(sender,
            node.Snapshot().Procs.Single(p => p.Endpoint == receiver).QueuedSenders), Patience);
}
