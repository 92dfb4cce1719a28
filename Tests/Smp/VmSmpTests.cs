using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using M3Actors.Smp;
using Xunit;
using static M3Actors.Tests.Smp.VmSmpKit;

namespace M3Actors.Tests.Smp;

/// <summary>A VM's endpoint actors on vCPUs: placement, exact counters, policies, /proc, bad input.</summary>
public sealed class VmSmpTests
{
    private const int ServerSlot = 5;

    // Exact run counts need runs that end only when the mailbox is empty: a run the preemption tick ends may leave the
    // endpoint's work hint up, which costs one empty run (docs/smp.md, counters). A 1 h tick never comes in a test.
    private const string NoRunDeadline = "m3actors.vcpus.throughput-deadline-time = 1h";

    [Fact]
    public async Task Endpoint_actor_handler_runs_on_its_vcpu_thread_and_sched_getcpu_agrees()
    {
        await using var kit = Start(VcpuOptions.Of(2, SchedulingPolicy.AffinityStatic));
        var (server, ep) = await kit.StartAsync(Props.Create(() => new WhereServer(ServerSlot)), "where", VcpuRole.Server, 1, ServerSlot);
        using var client = kit.Vm.Bind(owner: "test");

        var m = new Message(41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(ep, ref m, Patience));

        var here = IpcHere.From(m);
        Assert.Equal(42, m.Type);
        Assert.Equal(1, here.Vcpu);
        Assert.Equal($"{VmVcpus.Section}-vcpu-1", here.Thread);
        Assert.Equal(kit.Vcpus.Vcpus[1].PhysicalCpu, here.PhysicalCpu);
        if (OperatingSystem.IsLinux())
        {
            Assert.NotEqual(-1, here.PhysicalCpu);
            Assert.Equal(here.PhysicalCpu, here.Cpu);
        }
        Assert.Equal(1, kit.Vcpus.VcpuOf(server));
        Assert.Equal(1, kit.Vm.Snapshot().Procs.Single(p => p.Endpoint == ep).Vcpu);
        Assert.Null(kit.Vm.Snapshot().Procs.Single(p => p.Owner == "test").Vcpu);
    }

    [Fact]
    public async Task Sendrec_round_trips_on_one_vcpu_give_exactly_the_documented_counts()
    {
        const int k = 300;
        await using var kit = Start(VcpuOptions.Of(2, SchedulingPolicy.AffinityStatic), NoRunDeadline);
        var (_, server) = await kit.StartAsync(Props.Create(() => new WhereServer(ServerSlot)), "server", VcpuRole.Server, 1, ServerSlot);
        var (client, _) = await kit.ClientAsync("client", vcpu: 1);
        await RunAsync(client, server, 1);      // warm-up: both bound and idle in their implicit receive
        await kit.AwaitIdle();
        var before = kit.Vcpus.Snapshot();

        Assert.Equal(new HashSet<int> { 1 }, await RunAsync(client, server, k));

        var after = kit.Vcpus.Snapshot();
        var one = after[1].Since(before[1]);
        var zero = after[0].Since(before[0]);
        // k sendrec + k reply; k requests + k replies handed to handlers; the start message and k wakeups of the
        // server, each run on the client's thread as the client's handler returns (a hand-over); the client's own
        // wakeups are dropped, since its run goes on right after (DeferredWakes).
        Assert.Equal(2 * k, one.KernelEntries);
        Assert.Equal(2 * k, one.IpcDeliveries);
        Assert.Equal(k + 1, one.Messages);
        // k hand-over runs of the server, and the client's own runs: one per `throughput` (30) handler calls.
        Assert.InRange(one.MailboxRuns, k + 1, k + 1 + (k + 1) / 30 + 1);
        Assert.Equal((0L, 0L), (one.Steals, one.Migrations));
        Assert.Equal((0L, 0L, 0L, 0L, 0L), (zero.KernelEntries, zero.IpcDeliveries, zero.Messages, zero.MailboxRuns, zero.Steals));
    }

    [Fact]
    public async Task Sendrec_round_trips_across_two_vcpus_give_exact_counts_per_vcpu()
    {
        const int k = 300;
        await using var kit = Start(VcpuOptions.Of(2, SchedulingPolicy.AffinityStatic), NoRunDeadline);
        var (_, server) = await kit.StartAsync(Props.Create(() => new WhereServer(ServerSlot)), "server", VcpuRole.Server, 0, ServerSlot);
        var (client, _) = await kit.ClientAsync("client", vcpu: 1);
        await RunAsync(client, server, 1);
        await kit.AwaitIdle();
        var before = kit.Vcpus.Snapshot();

        Assert.Equal(new HashSet<int> { 1 }, await RunAsync(client, server, k));

        var after = kit.Vcpus.Snapshot();
        var srv = after[0].Since(before[0]);
        var cli = after[1].Since(before[1]);
        Assert.Equal((long)k, srv.KernelEntries);       // k replies
        Assert.Equal((long)k, srv.IpcDeliveries);       // k requests
        Assert.Equal((long)k, srv.Messages);            // one wakeup per request
        Assert.Equal((long)k, cli.KernelEntries);       // k sendrec
        Assert.Equal((long)k, cli.IpcDeliveries);       // k replies
        Assert.Equal(k + 1L, cli.Messages);             // one wakeup per reply + the start message
        Assert.Equal(2L * k, srv.KernelEntries + cli.KernelEntries);
        // A run may pick up the next wakeup before it ends: runs are bounded by messages, not equal to them.
        Assert.InRange(srv.MailboxRuns, 1, srv.Messages);
        Assert.InRange(cli.MailboxRuns, 1, cli.Messages);
        Assert.All(new[] { srv, cli }, d => Assert.Equal((0L, 0L), (d.Steals, d.Migrations)));
    }

    [Fact]
    public async Task Under_affinity_dynamic_a_pair_placed_on_two_vcpus_meets_on_one()
    {
        const int k = 300;
        await using var kit = Start(VcpuOptions.Of(2, SchedulingPolicy.AffinityDynamic), NoRunDeadline);
        var (serverActor, server) = await kit.StartAsync(
            Props.Create(() => new WhereServer(ServerSlot)), "server", VcpuRole.Server, 0, ServerSlot);
        var (client, _) = await kit.ClientAsync("client", vcpu: 1);
        var before = kit.Vcpus.Snapshot();

        // The client's handler (on vCPU 1) hands its vCPU over to the server it woke, and the server moves to the
        // client's vCPU to take it (wake-affine), from the first request on; under affinity-static the pair stays
        // split (above), and before this rule the server stayed on vCPU 0 here.
        Assert.Equal(new HashSet<int> { 1 }, await RunAsync(client, server, 1));
        Assert.Equal(1, kit.Vcpus.VcpuOf(serverActor));
        Assert.True(kit.Vcpus.Snapshot()[1].Since(before[1]).Migrations >= 1);

        // Whichever vCPU a steal then leaves the client on, its next sendrec brings the server along.
        await RunAsync(client, server, k);
        Assert.Equal(kit.Vcpus.VcpuOf(client), kit.Vcpus.VcpuOf(serverActor));
    }

    [Fact]
    public async Task Affinity_dynamic_moves_an_endpoint_off_a_vcpu_held_by_a_long_handler()
    {
        await using var kit = Start(VcpuOptions.Of(2, SchedulingPolicy.AffinityDynamic));
        var (victim, ep, hog) = await HogAndVictimOnVcpu0(kit);
        using var gate = new ManualResetEventSlim();
        var hold = new Hold(gate, Patience);
        var before = kit.Vcpus.Snapshot();

        hog.Tell(hold, ActorRefs.NoSender);
        Assert.Equal(0, await hold.Holding.Task.WaitAsync(Patience));
        using var client = kit.Vm.Bind(owner: "test");
        var m = new Message(1);
        // vCPU 0 is stuck in the hog's handler: the reply only comes if vCPU 1 steals the victim's run.
        var status = client.SendRec(ep, ref m, Patience);
        gate.Set();
        Assert.True(await hold.Released.Task.WaitAsync(Patience));

        Assert.Equal(IpcStatus.Ok, status);
        Assert.Equal(1, IpcHere.From(m).Vcpu);
        Assert.Equal(1, kit.Vcpus.VcpuOf(victim));
        var after = kit.Vcpus.Snapshot();
        Assert.Equal((1L, 1L), (after[1].Since(before[1]).Steals, after[1].Since(before[1]).Migrations));
    }

    [Fact]
    public async Task Affinity_static_keeps_the_endpoint_queued_behind_the_long_handler()
    {
        await using var kit = Start(VcpuOptions.Of(2, SchedulingPolicy.AffinityStatic));
        var (victim, ep, hog) = await HogAndVictimOnVcpu0(kit);
        using var gate = new ManualResetEventSlim();
        var hold = new Hold(gate, Patience);
        var before = kit.Vcpus.Snapshot();

        hog.Tell(hold, ActorRefs.NoSender);
        Assert.Equal(0, await hold.Holding.Task.WaitAsync(Patience));
        using var client = kit.Vm.Bind(owner: "test");
        var call = client.SendRecAsync(ep, new Message(1)).AsTask().WaitAsync(Patience);
        // The request is handed over and the victim's run waits in vCPU 0's queue, while vCPU 1 stays idle.
        await Until(() => kit.Vm.Snapshot().Procs.Single(p => p.Owner == "test").State == $"SENDREC waiting for {ep}"
                          && kit.Vcpus.Snapshot()[0].Queued >= 1);
        Assert.False(call.IsCompleted);
        gate.Set();

        var result = await call;
        Assert.Equal(IpcStatus.Ok, result.Status);
        Assert.Equal(0, IpcHere.From(result.Message).Vcpu);
        Assert.Equal(0, kit.Vcpus.VcpuOf(victim));
        var after = kit.Vcpus.Snapshot();
        Assert.All(after.Zip(before), p => Assert.Equal((0L, 0L), (p.First.Since(p.Second).Steals, p.First.Since(p.Second).Migrations)));
    }

    [Fact]
    public async Task Asymmetric_keeps_clients_off_the_reserved_vcpu()
    {
        const int k = 100;
        await using var kit = Start(VcpuOptions.Of(3, SchedulingPolicy.Asymmetric, reservedVcpus: 1));
        var (_, server) = await kit.StartAsync(Props.Create(() => new WhereServer(ServerSlot)), "server", VcpuRole.Server, null, ServerSlot);
        var clients = new List<IActorRef>();
        for (var i = 0; i < 4; i++) clients.Add((await kit.ClientAsync($"client-{i}")).Actor);
        await kit.AwaitIdle();
        var before = kit.Vcpus.Snapshot();

        var ranOn = await Task.WhenAll(clients.Select(c => RunAsync(c, server, k)));

        var after = kit.Vcpus.Snapshot();
        Assert.All(ranOn, set => Assert.All(set, v => Assert.InRange(v, 1, 2)));
        Assert.All(clients, c => Assert.InRange(kit.Vcpus.VcpuOf(c)!.Value, 1, 2));
        var reserved = after[0].Since(before[0]);
        // Only the server runs on vCPU 0: its replies and its requests, nothing of the clients.
        Assert.Equal(4L * k, reserved.KernelEntries);
        Assert.Equal(4L * k, reserved.IpcDeliveries);
        Assert.Equal(4L * k, after.Skip(1).Zip(before.Skip(1)).Sum(p => p.First.Since(p.Second).KernelEntries));
        var e = await Assert.ThrowsAsync<IpcException>(() => kit.ClientAsync("on-server-core", VcpuRole.Client, 0));
        Assert.Equal(IpcStatus.BadRange, e.Status);
        Assert.Contains("Clients run on vCPUs 1..2", e.Message);
    }

    [Fact]
    public async Task Proc_shows_a_blocked_sender_as_sending_and_a_sendrec_caller_with_its_vcpu()
    {
        // Configured by HOCON this time (the section alone puts the VM's actors on vCPUs).
        await using var kit = Start(null, "m3actors.vcpus { vcpus = 2, policy = affinity-static }");
        using var sink = kit.Vm.Bind(owner: "sink");            // never receives: everyone blocks on it
        var (client, clientEp) = await kit.ClientAsync("caller", vcpu: 0);
        _ = RunAsync(client, sink.Endpoint, 1);     // never answered: ended with the VM below
        var sender = kit.Vm.StartThread((me, _) => me.Send(sink.Endpoint, new Message(7), Patience), owner: "blocked-sender");
        await Until(() => kit.Vm.Snapshot().Procs.Any(p => p.Owner == "blocked-sender" && p.SendTo == sink.Endpoint)
                          && kit.Vm.Snapshot().Procs.Any(p => p.Endpoint == clientEp && p.SendTo == sink.Endpoint));

        var snapshot = kit.Vm.Snapshot();
        var text = ProcView.Render(snapshot);

        Assert.Equal($"SENDING to {sink.Endpoint}", snapshot.Procs.Single(p => p.Owner == "blocked-sender").State);
        Assert.Equal($"SENDREC sending to {sink.Endpoint}", snapshot.Procs.Single(p => p.Endpoint == clientEp).State);
        Assert.Matches(new Regex($@"SENDING to {Regex.Escape(sink.Endpoint.ToString())}\s+-\s+0\s+-\s+\d+\s+\d+\s+blocked-sender"), text);
        // The actor's row: state, queue "-", ntf 0, vCPU 0; the thread rows show "-" for the vCPU.
        Assert.Matches(new Regex($@"SENDREC sending to {Regex.Escape(sink.Endpoint.ToString())}\s+-\s+0\s+0\s+\d+\s+\d+\s+/user/caller"), text);
        Assert.Matches(new Regex(@"sink\s*$", RegexOptions.Multiline), text);
        Assert.Contains("/proc/vm1/vcpus  policy=affinity-static vcpus=2", text);
        Assert.Contains("vcpu  cpu    kernel", text);
        Assert.Equal(2, snapshot.Vcpus.Count);

        await kit.Drvs.EndAsync().WaitAsync(Patience);       // ending the VM releases the blocked callers with errors
        await sender.WaitAsync(Patience);
    }

    [Theory]
    [InlineData(0, SchedulingPolicy.AffinityStatic, null, "VcpuOptions.Count = 0 is outside 1..1024")]
    [InlineData(-2, SchedulingPolicy.Symmetric, null, "VcpuOptions.Count = -2 is outside")]
    [InlineData(1, SchedulingPolicy.Asymmetric, null, "asymmetric needs 1..0 reserved vCPUs")]
    [InlineData(2, SchedulingPolicy.Symmetric, 1, "VcpuOptions.ReservedVcpus only applies to the asymmetric policy")]
    [InlineData(2, (SchedulingPolicy)42, null, "scheduling policy 42 is not one of")]
    public async Task Typed_bad_vcpu_options_fail_at_vm_start_with_bad_range(int count, SchedulingPolicy policy, int? reserved, string expected)
    {
        var drvs = Drvs.Start();
        try
        {
            var e = Assert.Throws<IpcException>(() => drvs.StartVm(new VmOptions
            {
                Id = 1, Name = "bad", Vcpus = new VcpuOptions { Count = count, Policy = policy, ReservedVcpus = reserved },
            }));
            Assert.Equal(IpcStatus.BadRange, e.Status);
            Assert.Contains(expected, e.Message);
            Assert.Empty(drvs.Vms);
        }
        finally
        {
            await drvs.EndAsync().WaitAsync(Patience);
        }
    }

    [Theory]
    [InlineData("m3actors.vcpus { vcpus = 2, policy = fifo }", "unknown policy 'fifo'")]
    [InlineData("m3actors.vcpus { vcpus = 0 }", "m3actors.vcpus': vcpus = 0 is outside 1..1024")]
    [InlineData("m3actors.vcpus { vcpus = -1, policy = symmetric }", "vcpus = -1 is outside 1..1024")]
    [InlineData("m3actors.vcpus { vcpus = 2, policy = affinity-static, placement { \"/user/fs\" { vcpu = 4 } } }", "names vCPU 4, but the dispatcher has vCPUs 0..1")]
    public async Task Hocon_bad_vcpu_config_fails_at_vm_start_with_a_configuration_error(string hocon, string expected)
    {
        var drvs = Drvs.Start();
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => drvs.StartVm(new VmOptions
            {
                Id = 1, Name = "bad", ActorConfig = ConfigurationFactory.ParseString(hocon),
            }));
            Assert.Contains("VM 1 'bad' cannot start its vCPUs", e.Message);
            Assert.Contains(expected, e.Message);
            // Nothing was left behind: the id is free again.
            var vm = drvs.StartVm(new VmOptions { Id = 1, Name = "good" });
            Assert.Null(vm.Vcpus);
        }
        finally
        {
            await drvs.EndAsync().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task Placement_hints_the_vm_cannot_honour_are_bad_range()
    {
        await using var kit = Start(VcpuOptions.Of(2, SchedulingPolicy.AffinityStatic));
        var e = Assert.Throws<IpcException>(() => kit.Vm.ActorOf(Props.Create<IpcClient>(), "x", VcpuRole.Client, 2));
        Assert.Equal(IpcStatus.BadRange, e.Status);
        Assert.Contains("names vCPU 2, but the dispatcher has vCPUs 0..1", e.Message);

        await using var plain = Start(null);
        Assert.Null(plain.Vm.Vcpus);
        var none = Assert.Throws<IpcException>(() => plain.Vm.ActorOf(Props.Create<IpcClient>(), "y", VcpuRole.Server, 0));
        Assert.Equal(IpcStatus.BadRange, none.Status);
        Assert.Contains("the VM has no vCPUs", none.Message);
    }

    private static async Task<(IActorRef Victim, Endpoint Ep, IActorRef Hog)> HogAndVictimOnVcpu0(VmSmpKit kit)
    {
        // One at a time, each started while vCPU 0 is idle, so neither can be stolen during start-up.
        var (victim, ep) = await kit.StartAsync(Props.Create(() => new WhereServer(ServerSlot)), "victim", VcpuRole.Server, 0, ServerSlot);
        await kit.AwaitIdle();
        var (hog, _) = await kit.StartAsync(Props.Create(() => new WhereServer(ServerSlot + 1)), "hog", VcpuRole.Server, 0, ServerSlot + 1);
        await kit.AwaitIdle();
        Assert.Equal((0, 0), (kit.Vcpus.VcpuOf(victim), kit.Vcpus.VcpuOf(hog)));
        return (victim, ep, hog);
    }
}
