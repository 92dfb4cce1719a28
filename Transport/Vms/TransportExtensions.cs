using System.Runtime.CompilerServices;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Windows;

namespace M3Actors.Transport;

/// <summary>Joining a VM shared by several OS processes of this machine.</summary>
public static class TransportExtensions
{
    private const long MinWindowBytes = 1024 * 1024;
    private const long MaxWindowBytes = int.MaxValue + 1L - CopyWindow.DataOffset;

    // The shared part of every attached VM of this process, for AllocateCopyBuffer (gone with the Vm).
    private static readonly ConditionalWeakTable<Vm, SharedKernel> Attached = [];

    /// <summary>
    /// Attaches this process to VM <see cref="VmOptions.Id"/> of <paramref name="options"/> on this machine, creating
    /// its arena when it is the first and <see cref="SharedVmOptions.CreateIfMissing"/> allows. The VM returned is an
    /// ordinary <see cref="Vm"/> of this DRVS (ActorOf, Bind, RunTask, StartThread, Snapshot) whose kernel runs on
    /// the arena: its endpoints and those other processes bind there name each other with the same endpoint values,
    /// and every primitive works between them (docs/transport.md; vcopy with buffers from
    /// <see cref="AllocateCopyBuffer"/>). Ending it
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
        if (options.CopyWindowBytes is < MinWindowBytes or > MaxWindowBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CopyWindowBytes,
                $"SharedVmOptions.CopyWindowBytes must be {MinWindowBytes}..{MaxWindowBytes}");
        }
        var shared = SharedKernel.Attach(arenaOptions, options.CopyWindowBytes);
        try
        {
            var attached = drvs.StartVmWith(vm, (o, maxCopyBytes) => shared.CreateKernel(o, maxCopyBytes));
            Attached.Add(attached, shared);
            return attached;
        }
        catch
        {
            shared.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A buffer of <paramref name="bytes"/> bytes (64-byte aligned, zeroed) that vcopy can reach from every process
    /// of <paramref name="vm"/>: on a VM attached with <see cref="AttachVm"/> it lies in this process's copy window
    /// (<see cref="SharedVmOptions.CopyWindowBytes"/>), shared memory the other processes map, so a copy with a party
    /// here that another process asks for goes straight between the windows; on any other VM it is a pinned array.
    /// Register it as usual (<see cref="EndpointHandle.RegisterBuffer"/>, or an actor's <c>RegisterBuffer</c>); a
    /// buffer registered from ordinary memory can take part only in copies asked for in its own process (others
    /// get <see cref="IpcStatus.Range"/>). Window memory is never reused: it lives until the process leaves the VM.
    /// Throws <see cref="IpcException"/> (<see cref="IpcStatus.Range"/>) when the window is full.
    /// </summary>
    public static Memory<byte> AllocateCopyBuffer(this Vm vm, int bytes)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        return Attached.TryGetValue(vm, out var shared)
            ? shared.Windows.Allocate(bytes)
            : GC.AllocateArray<byte>(bytes, pinned: true);
    }
}
