using Akka.Actor;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>
/// The booted system in one VM: RS on its slot, and under RS's supervision PM, VFS, the clock and the disk driver,
/// each on its system slot. The disk driver's dependant is VFS: RS notifies VFS when the driver is back.
/// </summary>
public sealed class MinixSystem
{
    private static readonly TimeSpan BootPatience = TimeSpan.FromSeconds(10);

    private MinixSystem(Vm vm, IActorRef rs, RsJournal journal, BlockDevice device)
    {
        (Vm, Rs, Journal, Device) = (vm, rs, journal, device);
    }

    /// <summary>The VM the system runs in.</summary>
    public Vm Vm { get; }

    /// <summary>RS's actor: tell it <see cref="RsServer.ToService"/> to reach a service.</summary>
    public IActorRef Rs { get; }

    /// <summary>RS's record of crashes and restarts.</summary>
    public RsJournal Journal { get; }

    /// <summary>The disk.</summary>
    public BlockDevice Device { get; }

    /// <summary>The services RS starts and keeps alive, in boot order.</summary>
    public static IReadOnlyList<Service> Services(
        BlockDevice device, IReadOnlyDictionary<string, UserProgram> programs, MinixTrace? trace) =>
    [
        new("pm", PmSlot, () => Props.Create(() => new PmServer(programs)), []),
        new("vfs", VfsSlot, () => Props.Create(() => new VfsServer(device.Blocks, trace)), []),
        new("clock", ClockSlot, () => Props.Create(() => new ClockServer()), []),
        new("disk", DiskSlot, () => Props.Create(() => new DiskDriver(device, trace)), [VfsSlot]),
    ];

    /// <summary>Starts RS, which starts the rest, in <paramref name="vm"/>; completes when all are bound.</summary>
    public static async Task<MinixSystem> BootAsync(
        Vm vm, BlockDevice device, IReadOnlyDictionary<string, UserProgram> programs, MinixTrace? trace = null)
    {
        var journal = new RsJournal();
        var services = Services(device, programs, trace);
        var rs = vm.ActorOf(Props.Create(() => new RsServer(services, journal)), "rs");
        foreach (var slot in services.Select(s => s.Slot).Append(RsSlot))
            await vm.WhenBoundAsync(slot, BootPatience);
        return new MinixSystem(vm, rs, journal, device);
    }

    /// <summary>
    /// init: starts one process per command line through PM (PM_EXEC), then waits for each (PM_WAITPID, a deferred
    /// reply) and returns their exit statuses — or, for one PM could not start or wait for, the error code.
    /// <paramref name="wait"/> bounds each call.
    /// </summary>
    public async Task<int[]> RunProgramsAsync(IReadOnlyList<string> commandLines, TimeSpan wait)
    {
        var statuses = new int[commandLines.Count];
        await Vm.RunTask(async (me, ending) =>
        {
            var init = new Libc(me, 16, wait, ending);
            var pids = new int[commandLines.Count];
            for (var i = 0; i < pids.Length; i++)
            {
                var exec = new Message(PmExec);
                exec.SetText(commandLines[i]);
                pids[i] = await init.CallAsync(Pm, exec);
            }
            for (var i = 0; i < pids.Length; i++)
                statuses[i] = pids[i] < 0 ? pids[i] : await init.CallAsync(Pm, Request(PmWaitPid, pids[i]));
        }, owner: "init");
        return statuses;
    }

    /// <summary>
    /// Arms a crash of the service on <paramref name="slot"/> on its next request; completes once it is armed (a
    /// server blocked in a call of its own takes Akka messages only when the call ends).
    /// </summary>
    public Task<CrashArmed> CrashOnNextRequestAsync(int slot, TimeSpan timeout) =>
        Rs.Ask<CrashArmed>(new RsServer.ToService(slot, new CrashOnNextRequest()), timeout);
}
