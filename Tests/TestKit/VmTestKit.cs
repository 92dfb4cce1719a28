using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.TestKit;

/// <summary>
/// An Akka.TestKit (xunit) fixture whose ActorSystem is a VM's: each test gets a fresh DRVS with one running VM
/// (<see cref="Vm"/>, id 1 named "test" unless options say otherwise), so <c>ExpectMsg</c>, <c>TestActor</c> and the
/// IPC calls meet in one place. The DRVS, and with it every VM of the test, ends when the test ends.
/// </summary>
public abstract partial class VmTestKit : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>How long the kit's waits and expectations wait by default.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Boots a DRVS with embedded defaults and VM 1 "test".</summary>
    protected VmTestKit(ITestOutputHelper? output = null) : this(new VmOptions { Id = 1, Name = "test" }, output)
    {
    }

    /// <summary>Boots a DRVS with <paramref name="drvs"/> (embedded defaults when null) and the VM <paramref name="vm"/>.</summary>
    protected VmTestKit(VmOptions vm, ITestOutputHelper? output = null, DrvsOptions? drvs = null)
        : this(Boot(vm, drvs), output)
    {
    }

    private VmTestKit((Drvs Drvs, Vm Vm) booted, ITestOutputHelper? output) : base(booted.Vm.System, output)
    {
        Drvs = booted.Drvs;
        Vm = booted.Vm;
    }

    /// <summary>The test's DRVS.</summary>
    protected Drvs Drvs { get; }

    /// <summary>The test's VM; <c>Sys</c> is its ActorSystem.</summary>
    protected Vm Vm { get; }

    /// <summary>Binds a <see cref="ProbeEndpoint"/> in <paramref name="vm"/> (the test's VM by default).</summary>
    protected ProbeEndpoint Probe(int? slot = null, Vm? vm = null) => ProbeEndpoint.Bind(vm ?? Vm, slot, Patience);

    /// <summary>Starts a server actor that binds system slot <paramref name="slot"/> and returns its endpoint once bound.</summary>
    protected async Task<Endpoint> StartServerAsync(Props props, int slot, string? name = null, Vm? vm = null)
    {
        var target = vm ?? Vm;
        target.ActorOf(props, name);
        return await target.WhenBoundAsync(slot, Patience).ConfigureAwait(false);
    }

    /// <summary>Starts an extra VM on the test's DRVS (it ends with the DRVS).</summary>
    protected Vm ExtraVm(int id, VmOptions? options = null) =>
        Drvs.StartVm(options ?? new VmOptions { Id = id, Name = $"extra{id}" });

    /// <summary>Runs a blocking IPC call on its own thread (never on the thread pool, which the actors need).</summary>
    protected static Task<T> OnThread<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>A blocking receive on its own thread, returning the status and message.</summary>
    protected static Task<(IpcStatus Status, Message Message)> ReceiveOnThread(
        EndpointHandle h, Endpoint src, TimeSpan timeout) =>
        OnThread(() => (h.Receive(src, out var m, timeout), m));

    /// <summary>A blocking sendrec on its own thread, returning the status and reply.</summary>
    protected static Task<(IpcStatus Status, Message Message)> SendRecOnThread(
        EndpointHandle h, Endpoint dst, Message m, TimeSpan timeout) =>
        OnThread(() => (h.SendRec(dst, ref m, timeout), m));

    /// <inheritdoc />
    protected override void AfterAll()
    {
        base.AfterAll();
        if (Drvs.IsInitialised) Assert.True(Drvs.EndAsync().Wait(Patience), "the DRVS did not end in time");
    }

    private static (Drvs, Vm) Boot(VmOptions vm, DrvsOptions? options)
    {
        var drvs = Drvs.Start(options);
        try
        {
            return (drvs, drvs.StartVm(vm));
        }
        catch
        {
            // A VM that cannot start must not leave the DRVS (and any VM it did start) behind.
            drvs.EndAsync().Wait(Patience);
            throw;
        }
    }
}
