using System.Runtime.ExceptionServices;
using Akka.Configuration;

namespace M3Actors.Perf.M3;

/// <summary>
/// One benchmark case's M3Actors world: a DRVS with one VM. <see cref="Start"/> boots it, <see cref="Dispose"/> ends
/// the DRVS (every VM, its endpoints and its ActorSystem) and fails loudly if that does not finish in time.
/// </summary>
public sealed class M3Host : IDisposable
{
    /// <summary>How long setup waits for an endpoint to bind, and a round for its last operation.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private M3Host(Drvs drvs, Vm vm)
    {
        Drvs = drvs;
        Vm = vm;
    }

    /// <summary>The DRVS.</summary>
    public Drvs Drvs { get; }

    /// <summary>The one VM the benchmark's endpoints live in.</summary>
    public Vm Vm { get; }

    /// <summary>Boots a DRVS and VM 0 named <paramref name="name"/>, with extra ActorSystem HOCON (dispatchers).</summary>
    public static M3Host Start(string name, string hocon = "")
    {
        var drvs = Drvs.Start();
        try
        {
            var vm = drvs.StartVm(new VmOptions
            {
                Id = 0,
                Name = name,
                ActorConfig = hocon.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(hocon),
            });
            return new M3Host(drvs, vm);
        }
        catch
        {
            End(drvs);
            throw;
        }
    }

    /// <summary>Waits until <paramref name="slot"/> is bound (an endpoint actor has started) and returns its endpoint.</summary>
    public Endpoint WaitBound(int slot) => WaitBound(Vm, slot);

    /// <summary>Waits until <paramref name="slot"/> of <paramref name="vm"/> is bound and returns its endpoint; a
    /// timeout's message carries the VM's /proc view (which endpoints did bind, and in which state).</summary>
    public static Endpoint WaitBound(Vm vm, int slot)
    {
        try
        {
            return vm.WhenBoundAsync(slot, Timeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Slot {slot} of {vm} was not bound within {Timeout}.{Environment.NewLine}" +
                ProcView.Render(vm.Snapshot()), e);
        }
    }

    /// <summary>Starts another VM on the same DRVS (ended with it).</summary>
    public Vm StartVm(int id, string name) => Drvs.StartVm(new VmOptions { Id = id, Name = name });

    /// <summary>The /proc view of every VM: who is blocked on whom, for the message of a stalled round.</summary>
    public string Describe() => ProcView.Render(Drvs.Snapshot());

    /// <summary>Ends the DRVS.</summary>
    public void Dispose() => End(Drvs);

    /// <summary>Runs <paramref name="setup"/>; if it throws, runs <paramref name="cleanup"/> before rethrowing, so a
    /// failed GlobalSetup never leaves a DRVS (threads, an ActorSystem) behind.</summary>
    public static void SetUp(Action setup, Action cleanup)
    {
        try
        {
            setup();
        }
        catch (Exception e)
        {
            var failure = ExceptionDispatchInfo.Capture(e);
            try
            {
                cleanup();
            }
            catch
            {
                // The setup failure is the one worth reporting.
            }
            failure.Throw();
        }
    }

    private static void End(Drvs drvs)
    {
        if (drvs.IsInitialised && !drvs.EndAsync().Wait(Timeout))
        {
            throw new TimeoutException($"The DRVS did not end within {Timeout}.");
        }
    }
}

/// <summary>
/// Tells a client actor to run this many operations with its server, then signal. One instance per round size is
/// created in setup and reused, so starting a round allocates nothing per operation.
/// </summary>
public sealed record M3Round(int Operations);

/// <summary>
/// The end of a round: every client signals once when its share is done, or reports a failure (an IPC call returned
/// an unexpected status) and signals, so the benchmark thread never waits for a round that cannot finish.
/// </summary>
public sealed class RoundSignal : IDisposable
{
    private readonly CountdownEvent _done;
    private string? _failure;

    /// <summary>A signal for <paramref name="clients"/> clients.</summary>
    public RoundSignal(int clients) => _done = new CountdownEvent(clients);

    /// <summary>Called by a client when its share of the round is done.</summary>
    public void Done() => SignalOnce();

    /// <summary>Called by any endpoint whose IPC call failed; the round ends with an exception.</summary>
    public void Fail(string why)
    {
        Interlocked.CompareExchange(ref _failure, why, null);
        // Wake the benchmark thread at once, whatever the other clients do.
        while (!_done.IsSet)
        {
            SignalOnce();
        }
    }

    /// <summary>Re-arms the signal for the next round.</summary>
    public void Reset() => _done.Reset();

    /// <summary>Waits for every client; throws on a failure or after <see cref="M3Host.Timeout"/>. A timeout's
    /// message carries <paramref name="describe"/>'s text (e.g. the /proc view), so a stalled round says which
    /// endpoint was stuck in which state rather than only that it took too long.</summary>
    public void Wait(Func<string>? describe = null)
    {
        if (!_done.Wait(M3Host.Timeout))
        {
            throw new TimeoutException($"An M3Actors round did not finish within {M3Host.Timeout}." +
                (describe is null ? "" : Environment.NewLine + describe()));
        }
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new InvalidOperationException($"An M3Actors round failed: {failure}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _done.Dispose();

    // After a failure has drained the count, a late client's signal must not throw inside its actor.
    private void SignalOnce()
    {
        try
        {
            _done.Signal();
        }
        catch (InvalidOperationException) when (_done.IsSet)
        {
        }
    }
}
