using Akka.Actor;
using M3Actors.Examples.Demo;
using M3Actors.Smp;

namespace M3Actors.Examples.Proc;

/// <summary>
/// <c>proc</c>: boots the demo's "minix" system on 2 vCPUs (affinity-static: pm on vCPU 0, fs on vCPU 1, the
/// actor reader on vCPU 0), freezes it at a moment where several endpoints are blocked — fs in SENDREC waiting for
/// the disk, an actor reader and a task queued on fs, a plain sender SENDING to fs, clock ticks pending — prints
/// the /proc view and who waits for whom, then lets everything finish and ends the DRVS.
/// </summary>
public static class ProcCommand
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>Runs the command; 0 when the system reached the blocked state, printed it and ended cleanly.</summary>
    public static async Task<int> RunAsync(TextWriter output)
    {
        await using var drvs = Drvs.Start();
        var minix = drvs.StartVm(new VmOptions { Id = 1, Name = "minix", Vcpus = VcpuOptions.Of(2, SchedulingPolicy.AffinityStatic) });
        drvs.StartVm(new VmOptions { Id = 2, Name = "other" });     // a VM without vCPUs, for contrast

        minix.ActorOf(Props.Create(() => new PmServer()), "pm", VcpuRole.Server, vcpu: 0);
        await minix.WhenBoundAsync(Protocol.PmSlot, Patience);
        var registered = new TaskCompletionSource<IpcStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        minix.ActorOf(Props.Create(() => new FsServer(registered)), "fs", VcpuRole.Server, vcpu: 1);
        if (await registered.Task.WaitAsync(Patience) != IpcStatus.Ok) return Fail(output, "fs did not register with pm");
        var disk = new DiskDriver();
        var diskTask = disk.Start(minix, Patience);
        await minix.WhenBoundAsync(Protocol.DiskSlot, Patience);

        // fs blocks on the disk (the driver holds the write until released) ...
        var sync = Call(minix, "sync client", me => TaskClient.CallAsync(me, Protocol.Fs, new Message(Protocol.FsSync), Patience * 2));
        await disk.WriteTaken.Task.WaitAsync(Patience);
        // ... and everyone else queues behind it.
        var reader = minix.ActorOf(Props.Create(() => new ActorClient()), "reader", VcpuRole.Client, vcpu: 0);
        var read = reader.Ask<ReadResult>(new ActorClient.Read(2), Patience * 2);
        var taskRead = Call(minix, "task reader", me => TaskClient.ReadBlockAsync(me, 4, Patience * 2));
        var sender = minix.StartThread((me, _) => me.Send(Protocol.Fs, new Message(Protocol.FsStat), Patience * 2), owner: "plain sender");
        var ticks = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Clock.Start(minix, ticks: 3, period: TimeSpan.FromMilliseconds(5), ticks);
        await ticks.Task.WaitAsync(Patience);
        if (!await Poll.UntilAsync(() => Fs(minix) is { QueuedSenders.Count: 3, PendingNotifies: 1 }, Patience))
            return Fail(output, "the blocked state was not reached");

        var snapshot = drvs.Snapshot();
        output.Write(ProcView.Render(snapshot));
        output.WriteLine();
        output.WriteLine("who waits for whom:");
        foreach (var vm in snapshot.Vms)
            foreach (var p in vm.Procs.Where(p => p.State.StartsWith("SEND", StringComparison.Ordinal) || p.State.StartsWith("RECEIVING from", StringComparison.Ordinal) && !p.State.EndsWith("(idle)", StringComparison.Ordinal)))
                output.WriteLine($"  vm{vm.Id} {p.Endpoint,-7} {p.Owner,-14} {p.State,-28} -> {OwnerOf(vm, p.SendTo != Endpoint.None ? p.SendTo : p.GetFrom)}");

        disk.Release.TrySetResult();
        var ok = (await sync.WaitAsync(Patience)).Status == IpcStatus.Ok
                 && (await read.WaitAsync(Patience)).Verified
                 && (await taskRead.WaitAsync(Patience)).Verified
                 && sender.Wait(Patience);
        await drvs.EndAsync().WaitAsync(Patience);
        await Task.WhenAll(diskTask, clock).WaitAsync(Patience);
        output.WriteLine();
        output.WriteLine(ok ? "released the disk: every blocked call completed; DRVS ended" : "FAIL: a blocked call did not complete");
        return ok ? 0 : 1;
    }

    private static string OwnerOf(VmSnapshot vm, Endpoint ep) =>
        vm.Procs.FirstOrDefault(p => p.Endpoint == ep) is { } p ? $"{ep} ({p.Owner})" : ep.ToString();

    private static ProcSnapshot Fs(Vm vm) => vm.Snapshot().Procs.Single(p => p.Endpoint == Protocol.Fs);

    private static Task<T> Call<T>(Vm vm, string owner, Func<EndpointHandle, Task<T>> body)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = vm.RunTask(async (me, _) => result.TrySetResult(await body(me)), owner: owner);
        return result.Task;
    }

    private static int Fail(TextWriter output, string why)
    {
        output.WriteLine($"FAIL: {why}");
        return 1;
    }
}
