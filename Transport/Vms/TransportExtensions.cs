using M3Actors.Transport.Arena;

namespace M3Actors.Transport;

/// <summary>Joining a VM shared by several OS processes of this machine.</summary>
public static class TransportExtensions
{
    /// <summary>
    /// Attaches this process to VM <see cref="VmOptions.Id"/> of <paramref name="options"/> on this machine, creating
    /// its arena when it is the first and <see cref="SharedVmOptions.CreateIfMissing"/> allows. The VM returned is an
    /// ordinary <see cref="Vm"/> of this DRVS (ActorOf, Bind, RunTask, StartThread, Snapshot) whose kernel runs on
    /// the arena: its endpoints and those other processes bind there name each other with the same endpoint values,
    /// and every primitive but vcopy works between them (docs/transport.md). Ending it
    /// (<see cref="Vm.EndAsync"/>) unbinds this process's endpoints and leaves the VM to the other processes.
    /// Throws <see cref="ArenaException"/> when the arena cannot be attached (its
    /// <see cref="ArenaException.Reason"/> says why, e.g. <see cref="ArenaFailure.LayoutMismatch"/> for another
    /// slot count, <see cref="ArenaFailure.NameMismatch"/> for another name), <see cref="IpcException"/> as
    /// <see cref="Drvs.StartVm"/> does, <see cref="PlatformNotSupportedException"/> off Linux.
    /// </summary>
    public static Vm AttachVm(this Drvs drvs, SharedVmOptions options)
    {
        ArgumentNullException.ThrowIfNull(drvs);
        ArgumentNullException.ThrowIfNull(options);
        var vm = options.Vm ?? throw new ArgumentException("SharedVmOptions.Vm is required", nameof(options));
        vm.Validate(drvs.Options);      // before the arena is touched: bad options create no file
        var arenaOptions = new ArenaOptions
        {
            DrvsId = options.DrvsId,
            VmId = vm.Id,
            VmName = vm.Name,
            Layout = new ArenaLayout(vm.SystemSlots + vm.UserSlots, options.MaxProcesses),
            Directory = options.Directory ?? ArenaOptions.DefaultDirectory,
            CreateIfMissing = options.CreateIfMissing,
            AttachTimeout = options.AttachTimeout,
        };
        arenaOptions.Validate();
        var shared = SharedKernel.Attach(arenaOptions);
        try
        {
            return drvs.StartVmWith(vm, (o, maxCopyBytes) => shared.CreateKernel(o, maxCopyBytes));
        }
        catch
        {
            shared.Dispose();
            throw;
        }
    }
}
