using Akka.TestKit.Xunit2;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>A TestKit whose ActorSystem is a VM's; the DRVS (and with it every VM) ends when the test ends.</summary>
public abstract class VmTestKit : TestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected VmTestKit(ITestOutputHelper output) : this(Boot(), output)
    {
    }

    private VmTestKit((Drvs Drvs, Vm Vm) booted, ITestOutputHelper output) : base(booted.Vm.System, output)
    {
        Drvs = booted.Drvs;
        Vm = booted.Vm;
    }

    protected Drvs Drvs { get; }

    protected Vm Vm { get; }

    protected override void AfterAll()
    {
        base.AfterAll();
        if (Drvs.IsInitialised) Assert.True(Drvs.EndAsync().Wait(Patience), "the DRVS did not end in time");
    }

    private static (Drvs, Vm) Boot()
    {
        var drvs = Drvs.Start();
        return (drvs, drvs.StartVm(new VmOptions { Id = 1, Name = "test" }));
    }
}
