using Akka.Actor;
using M3Actors.Smp;
using Xunit;

namespace M3Actors.Tests.Smp;

public sealed class PlacementTests() : SmpTestKit($$"""
    placed {
      type = {{Type}}
      vcpus = 2
      policy = affinity-static
      placement { "/user/hocon-placed" { vcpu = 1 } }
    }
    spread { type = {{Type}}, vcpus = 2, policy = affinity-static }
    """)
{
    [Fact(Timeout = 30_000)]
    public async Task Vcpus_made_on_a_pinned_thread_still_spread_over_the_processes_cpus()
    {
        var allowed = CpuAffinity.AllowedCpus();
        // With one CPU (or no affinity) there is nothing to spread; every CI machine of this project has two.
        if (!CpuAffinity.IsSupported || allowed.Length < 2) return;
        var made = new TaskCompletionSource<(int PinError, VcpuDispatcher? Dispatcher)>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        // The dispatcher reads the CPUs it may use when it is made; a creator pinned to one CPU must not narrow them.
        var creator = new Thread(() =>
        {
            try
            {
                var pinError = CpuAffinity.TryPinCurrentThread(allowed[0]);
                made.SetResult((pinError, pinError == 0 ? Dispatcher("spread") : null));
            }
            catch (Exception e)
            {
                made.SetException(e);   // rethrown by the await below
            }
        });
        creator.Start();
        var (pinError, dispatcher) = await made.Task.WaitAsync(Patience);

        Assert.Equal(0, pinError);
        Assert.Equal(allowed.Take(2), dispatcher!.Vcpus.Select(v => v.PhysicalCpu));
    }

    [Fact]
    public void Handler_runs_on_the_hinted_vcpu_thread_and_libc_agrees_with_the_pin()
    {
        var dispatcher = Dispatcher("placed");
        dispatcher.Place("/user/api-placed", VcpuRole.Client, 0);
        var byHocon = Sys.ActorOf(Props.Create<WhereActor>().WithDispatcher("placed"), "hocon-placed");
        var byApi = Sys.ActorOf(Props.Create<WhereActor>().WithDispatcher("placed"), "api-placed");

        foreach (var (actor, vcpu) in new[] { (byHocon, 1), (byApi, 0) })
        {
            var here = Where(actor);
            Assert.Equal(vcpu, here.Vcpu);
            Assert.Equal($"placed-vcpu-{vcpu}", here.Thread);
            Assert.Equal(vcpu, dispatcher.VcpuOf(actor));
            Assert.Equal(dispatcher.Vcpus[vcpu].PhysicalCpu, here.PhysicalCpu);
            if (OperatingSystem.IsLinux())
            {
                Assert.NotEqual(-1, here.PhysicalCpu);
                Assert.Equal(here.PhysicalCpu, here.Cpu);
            }
        }
    }

    [Fact]
    public void Unhinted_actors_are_spread_round_robin()
    {
        var dispatcher = Dispatcher("placed");
        var actors = Enumerable.Range(0, 4)
            .Select(i => Sys.ActorOf(Props.Create<WhereActor>().WithDispatcher("placed"), $"rr-{i}"))
            .ToArray();

        var ran = actors.Select(a => Where(a).Vcpu).ToArray();

        Assert.Equal(2, ran.Count(v => v == 0));
        Assert.Equal(2, ran.Count(v => v == 1));
        Assert.Equal(ran, actors.Select(dispatcher.VcpuOf).ToArray());
    }

    [Fact]
    public void Vcpu_current_is_null_off_the_vcpu_threads_and_vcpuof_is_null_for_foreign_actors()
    {
        Assert.Null(Vcpu.Current);
        Assert.Null(Dispatcher("placed").VcpuOf(TestActor));
    }

    [Fact]
    public void Lookup_of_a_dispatcher_that_is_not_a_vcpu_dispatcher_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => VcpuDispatcher.Lookup(Sys, "akka.actor.default-dispatcher"));
        Assert.Contains("is not a VcpuDispatcher", e.Message);
    }
}
