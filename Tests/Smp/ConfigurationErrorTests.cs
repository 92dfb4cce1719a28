using Akka.Configuration;
using M3Actors.Smp;
using Xunit;

namespace M3Actors.Tests.Smp;

public sealed class ConfigurationErrorTests() : SmpTestKit($$"""
    unknown-policy { type = {{Type}}, vcpus = 2, policy = round-robin }
    zero-vcpus { type = {{Type}}, vcpus = 0 }
    negative-vcpus { type = {{Type}}, vcpus = -3 }
    hint-out-of-range {
      type = {{Type}}
      vcpus = 2
      policy = affinity-static
      placement { "/user/a" { vcpu = 2 } }
    }
    reserved-all { type = {{Type}}, vcpus = 2, policy = asymmetric, reserved-vcpus = 2 }
    reserved-elsewhere { type = {{Type}}, vcpus = 2, policy = symmetric, reserved-vcpus = 1 }
    asymmetric-ok { type = {{Type}}, vcpus = 3, policy = asymmetric, reserved-vcpus = 1 }
    bad-pin { type = {{Type}}, vcpus = 2, policy = affinity-static, physical-cpus = [1000] }
    """)
{
    [Theory]
    [InlineData("unknown-policy", "unknown policy 'round-robin'")]
    [InlineData("zero-vcpus", "vcpus = 0 is outside 1..1024")]
    [InlineData("negative-vcpus", "vcpus = -3 is outside 1..1024")]
    [InlineData("hint-out-of-range", "names vCPU 2, but the dispatcher has vCPUs 0..1")]
    [InlineData("reserved-all", "reserved-vcpus = 2: asymmetric needs 1..1 reserved vCPUs out of 2")]
    [InlineData("reserved-elsewhere", "reserved-vcpus only applies to the asymmetric policy, not symmetric")]
    public void Bad_configuration_fails_at_dispatcher_creation_saying_what_is_wrong(string id, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => Sys.Dispatchers.Lookup(id));
        var config = e as ConfigurationException ?? e.InnerException as ConfigurationException;
        Assert.NotNull(config);
        Assert.Contains(expected, config.Message);
        Assert.Contains($"'{id}'", config.Message);
    }

    [Fact]
    public void Placement_api_refuses_a_vcpu_that_does_not_exist_or_that_the_role_may_not_use()
    {
        var dispatcher = Dispatcher("asymmetric-ok");

        Assert.Contains("names vCPU 3", Assert.Throws<ArgumentException>(() => dispatcher.Place("/user/x", VcpuRole.Client, 3)).Message);
        Assert.Contains("names vCPU -1", Assert.Throws<ArgumentException>(() => dispatcher.Place("/user/x", VcpuRole.Server, -1)).Message);
        Assert.Contains("Clients run on vCPUs 1..2", Assert.Throws<ArgumentException>(() => dispatcher.Place("/user/x", VcpuRole.Client, 0)).Message);
        Assert.Contains("Servers run on vCPUs 0..0", Assert.Throws<ArgumentException>(() => dispatcher.Place("/user/x", VcpuRole.Server, 1)).Message);
    }

    [Fact]
    public void Failed_pinning_is_logged_once_and_recorded_as_unpinned()
    {
        VcpuDispatcher? dispatcher = null;
        if (CpuAffinity.IsSupported)
            EventFilter.Warning(contains: "sched_setaffinity failed").ExpectOne(() => dispatcher = Dispatcher("bad-pin"));
        else
            dispatcher = Dispatcher("bad-pin");

        Assert.All(dispatcher!.Vcpus, v => Assert.Equal(-1, v.PhysicalCpu));
        var actor = Sys.ActorOf(Akka.Actor.Props.Create<WhereActor>().WithDispatcher("bad-pin"));
        Assert.Equal(-1, Where(actor).PhysicalCpu);
    }
}
