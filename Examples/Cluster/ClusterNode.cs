using System.Diagnostics;
using Akka.Configuration;
using M3Actors.ClusterBridge;
using M3Actors.ClusterBridge.Membership;

namespace M3Actors.Examples.Cluster;

/// <summary>
/// One node process of the <c>cluster</c> example: VM 4 "spread" on nodes 1 and 2. Node 1 serves: an echo server on
/// system slot 5 and, on slot 6, a server that takes requests and never answers. Node 2 is the client side: its
/// callers sendrec to slot 5 and check every reply, then one blocks on slot 6 until node 1 is killed, when it must
/// get NotConnected. Each step is one line on stdout that <see cref="ClusterCommand"/> reads.
/// </summary>
internal static class ClusterNode
{
    internal const int EchoSlot = 5;
    internal const int HungSlot = 6;
    internal const int Calls = 200;
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // Short failure detection, so the example shows NotConnected within ~2 s of the kill.
    private const string Hocon = """
        akka.loglevel = WARNING
        akka.cluster.failure-detector { heartbeat-interval = 250ms, acceptable-heartbeat-pause = 1500ms }
        """;

    /// <summary>Runs node <paramref name="nodeId"/> (1 serves, 2 calls); <paramref name="seed"/>: node 1's host:port.</summary>
    internal static async Task<int> RunAsync(TextWriter output, int nodeId, string? seed)
    {
        var options = new BridgeOptions
        {
            NodeId = nodeId,
            NodeSet = new HashSet<int> { 1, 2 },
            Secret = "cluster-example-shared-secret",
            SeedNodes = seed is null ? [] : [seed],
        };
        await using var drvs = Drvs.Start(new DrvsOptions { NodeId = nodeId });
        var vm = drvs.StartVm(VmBridge.Configure(
            new VmOptions { Id = 4, Name = "spread", ActorConfig = ConfigurationFactory.ParseString(Hocon) }, options));
        using var up = new CancellationTokenSource(Patience);
        var bridge = await VmBridge.StartAsync(vm, options, up.Token);
        output.WriteLine($"port {bridge.HostPort.Split(':')[1]}");
        return nodeId == 1 ? await ServeAsync(output, vm) : await CallAsync(output, vm);
    }

    // Serves until the process is killed (the parent kills it to show node loss).
    private static async Task<int> ServeAsync(TextWriter output, Vm vm)
    {
        var echo = vm.StartThread((me, ending) =>
        {
            while (!ending.IsCancellationRequested)
                if (me.Receive(Endpoint.Any, out var m, Patience) == IpcStatus.Ok) me.Reply(m.Source, m);
        }, EchoSlot, "echo");
        var hung = vm.StartThread((me, ending) =>
        {
            while (!ending.IsCancellationRequested) me.Receive(Endpoint.Any, out _, Patience);     // never replies
        }, HungSlot, "hung");
        output.WriteLine("serving");
        await Task.WhenAny(echo, hung);
        return 1;       // a server thread ended: the parent kills this node before that can happen
    }

    private static async Task<int> CallAsync(TextWriter output, Vm vm)
    {
        await vm.WhenBoundAsync(EchoSlot, Patience);
        await vm.WhenBoundAsync(HungSlot, Patience);
        using var client = vm.Bind(owner: "client");
        var wrong = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Calls; i++)
        {
            var m = new Message(i);
            m.SetLong(1, i * 7919L);
            if (client.SendRec(Endpoint.System(EchoSlot), ref m, Patience) != IpcStatus.Ok
                || m.Type != i || m.GetLong(1) != i * 7919L) wrong++;
        }
        output.WriteLine($"calls {Calls} wrong {wrong} in {clock.ElapsedMilliseconds} ms");

        using var blocked = vm.Bind(owner: "blocked");
        var hung = blocked.SendRecAsync(Endpoint.System(HungSlot), new Message(1)).AsTask();
        while (!vm.Snapshot().Procs.Any(p => p.Endpoint == blocked.Endpoint && p.State.StartsWith("SENDREC")))
            await Task.Delay(10);
        output.WriteLine("blocked");         // the parent kills node 1 now
        var lost = await hung.WaitAsync(Patience);
        var after = new Message(2);
        var again = client.SendRec(Endpoint.System(EchoSlot), ref after, Patience);
        output.WriteLine($"blocked call {lost.Status}, new call {again}");
        return wrong == 0 && lost.Status == IpcStatus.NotConnected && again == IpcStatus.NotConnected ? 0 : 1;
    }
}
