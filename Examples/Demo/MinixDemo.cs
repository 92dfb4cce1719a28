using Akka.Actor;

namespace M3Actors.Examples.Demo;

/// <summary>
/// The main demo: a DRVS with two VMs; a small microkernel-style system in VM 1 "minix" (pm, fs, disk, clock and
/// clients of both kinds); an outsider in VM 2 "other" that cannot reach it; then an orderly end. Every step is a
/// check. Waits are bounded: the demo fails rather than hangs, and it never sleeps to let something happen — it
/// waits for a signal from the party that does it, or polls the /proc snapshot with a deadline.
/// </summary>
public static class MinixDemo
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>Runs the story; returns the process exit code (0 when every check passed).</summary>
    public static async Task<int> RunAsync(TextWriter output)
    {
        var story = new Story(output);
        output.WriteLine("M3Actors demo: Minix 3 microkernel IPC on Akka.NET");

        story.Part("the README example");
        story.Check(await ReadmeExample.RunAsync() == 0, "echo server (actor) + thread client: sendrec got Type + 1");

        story.Part("boot");
        var drvs = Drvs.Start();
        try
        {
            story.Check(drvs.IsInitialised, $"DRVS started on node {drvs.NodeId} (embedded defaults, in-process)");
            var minix = drvs.StartVm(new VmOptions { Id = 1, Name = "minix" });
            var other = drvs.StartVm(new VmOptions { Id = 2, Name = "other" });
            story.Check(minix.IsRunning && other.IsRunning, $"{minix} and {other} running, each its own ActorSystem");
            await RunMinixAsync(story, drvs, minix, other);
        }
        catch (Exception e)
        {
            story.Check(false, $"the demo threw {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            if (drvs.IsInitialised) await drvs.EndAsync().WaitAsync(Patience);
        }

        output.WriteLine();
        output.WriteLine(story.Failures == 0
            ? $"all {story.Checks} checks passed"
            : $"{story.Failures} of {story.Checks} checks FAILED");
        return story.Failures == 0 ? 0 : 1;
    }

    private static async Task RunMinixAsync(Story story, Drvs drvs, Vm minix, Vm other)
    {
        // --- Servers on well-known system slots. pm first: fs registers with it as soon as fs starts.
        story.Part("servers (VM 1)");
        minix.ActorOf(Props.Create(() => new PmServer()), "pm");
        story.Check(await BoundAsync(minix, Protocol.PmSlot), $"pm bound at {Protocol.Pm} (actor, system slot)");
        var registered = new TaskCompletionSource<IpcStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        minix.ActorOf(Props.Create(() => new FsServer(registered)), "fs");
        story.Expect(await registered.Task.WaitAsync(Patience), IpcStatus.Ok, $"fs bound at {Protocol.Fs} and registered \"fs\" with pm by sendrec");
        var disk = new DiskDriver();
        var diskTask = disk.Start(minix, Patience);
        story.Check(await BoundAsync(minix, Protocol.DiskSlot), $"disk driver bound at {Protocol.Disk} (async task, system slot)");

        // --- Clients of both kinds read blocks; fs vcopies each block into the client's buffer during its sendrec.
        story.Part("reads: fs vcopies a block into each waiting client's buffer");
        var actor = minix.ActorOf(Props.Create(() => new ActorClient()), "reader-actor");
        story.Check(await Poll.UntilAsync(() => minix.Snapshot().Procs.Any(p => p.Owner.EndsWith("reader-actor")), Patience), "actor client bound on a user slot");
        // The actor reads alone first, then three tasks at once (they may queue behind each other at pm and fs).
        // Keeping the actor's calls uncontended keeps its /proc counters the same on every run (see the report on
        // the Sent counter).
        var first = await actor.Ask<ReadResult>(new ActorClient.Read(3), Patience);
        CheckRead(story, "actor", first);
        var tasks = Enumerable.Range(0, 3).Select(block => ReadInTask(minix, block)).ToList();
        foreach (var r in await Task.WhenAll(tasks).WaitAsync(Patience)) CheckRead(story, "task ", r);

        // --- fs blocks on the disk; meanwhile clock ticks coalesce and a new client queues. Look at it in /proc.
        story.Part("busy fs: sync waits for the disk; clock ticks coalesce; a reader queues");
        var sync = RunInTask(minix, "sync", me => TaskClient.CallAsync(me, Protocol.Fs, new Message(Protocol.FsSync), Patience * 2));
        await disk.WriteTaken.Task.WaitAsync(Patience);
        story.Check(FsState(minix).State == $"SENDREC waiting for {Protocol.Disk}", $"fs is inside its sendrec to the disk: {FsState(minix).State}");
        var queued = ReadInTask(minix, 5);
        story.Check(await Poll.UntilAsync(() => FsState(minix).QueuedSenders.Count == 1, Patience), "a reader's sendrec queues on fs (fs is not receiving)");
        var ticks = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Clock.Start(minix, ticks: 5, period: TimeSpan.FromMilliseconds(10), ticks);
        story.Check(await ticks.Task.WaitAsync(Patience) == 5, "clock: 5 notifies to fs, 10 ms apart, each returned Ok at once");
        var fs = FsState(minix);
        story.Check(fs.PendingNotifies == 1 && minix.Snapshot().Notifications == 5,
            $"5 notifies, {fs.PendingNotifies} pending on fs: coalesced into one bit (clock, fs)");

        story.Part("/proc, mid-run");
        story.Output.Write(ProcView.Render(drvs.Snapshot()));
        story.Output.WriteLine();

        disk.Release.TrySetResult();
        var synced = await sync.WaitAsync(Patience);
        story.Expect(synced.Status, IpcStatus.Ok, "disk answered: fs replied to the sync client");
        var late = await queued.WaitAsync(Patience);
        story.Check(late is { Status: IpcStatus.Ok, Verified: true }, $"the queued reader got block {late.Block}: {late.Status}, checksum {late.Checksum:x8} matches");

        // The shell: the demo's own thread endpoint (vm.Bind), making blocking calls with a timeout.
        using var shell = minix.Bind(owner: "shell");
        var stat = new Message(Protocol.FsStat);
        story.Expect(shell.SendRec(Protocol.Fs, ref stat, Patience), IpcStatus.Ok, "shell (thread, vm.Bind) sendrec stat to fs");
        story.Check(stat.GetInt(0) == 1 && stat.GetInt(1) == 5, $"fs saw {stat.GetInt(0)} clock tick for 5 notifies, and served {stat.GetInt(1)} reads");

        // --- Isolation: endpoints are resolved only in the caller's VM.
        story.Part("isolation: VM 2 cannot name VM 1's endpoints");
        using var visitor = other.Bind(owner: "visitor");
        var request = new Message(Protocol.FsRead);
        story.Expect(visitor.SendRec(Protocol.Fs, ref request, Patience), IpcStatus.DeadSrcDst, $"VM 2 sendrec to {Protocol.Fs} (fs in VM 1)");
        story.Expect(visitor.Send(Protocol.Fs, new Message(Protocol.FsRead), Patience), IpcStatus.DstDied, $"VM 2 send to {Protocol.Fs}");
        story.Check(other.Snapshot().Procs.Count == 1 && minix.Snapshot().Procs.Any(p => p.Endpoint == Protocol.Fs),
            $"VM 2 holds only {visitor.Endpoint}; the value {Protocol.Fs} means fs only inside VM 1");

        // --- An orderly end: each step releases whatever was still waiting, with an error code.
        story.Part("end");
        await other.EndAsync().WaitAsync(Patience);
        story.Expect(visitor.Send(Protocol.Fs, new Message(1), Patience), IpcStatus.VmNotRunning, "VM 2 ended; its endpoint's next call");
        await minix.EndAsync().WaitAsync(Patience);
        await Task.WhenAll(diskTask, clock).WaitAsync(Patience);
        story.Expect(disk.ExitStatus, IpcStatus.VmNotRunning, "VM 1 ended; the disk driver's pending receive ended");
        story.Expect(shell.SendRec(Protocol.Fs, ref stat, Patience), IpcStatus.VmNotRunning, "the shell's next call");
        await drvs.EndAsync().WaitAsync(Patience);
        var ended = Assert.Throws(() => drvs.StartVm(new VmOptions { Id = 3, Name = "late" }));
        story.Check(!drvs.IsInitialised && ended == IpcStatus.DrvsInit, $"DRVS ended; starting a VM now throws {ended}");
    }

    private static void CheckRead(Story story, string kind, ReadResult r) =>
        story.Check(r is { Status: IpcStatus.Ok, Verified: true },
            $"block {r.Block} read by {kind} {r.Client}: {r.Status}, checksum {r.Checksum:x8} matches the disk");

    private static Task<ReadResult> ReadInTask(Vm vm, int block) =>
        RunInTask(vm, $"reader {block}", me => TaskClient.ReadBlockAsync(me, block, Patience));

    // vm.RunTask binds a fresh endpoint, runs the body and unbinds when it ends; this also hands back the body's result.
    private static Task<T> RunInTask<T>(Vm vm, string owner, Func<EndpointHandle, Task<T>> body)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = vm.RunTask(async (me, _) => result.TrySetResult(await body(me)), owner: owner);
        return result.Task;
    }

    private static ProcSnapshot FsState(Vm vm) => vm.Snapshot().Procs.Single(p => p.Endpoint == Protocol.Fs);

    private static async Task<bool> BoundAsync(Vm vm, int slot)
    {
        try
        {
            await vm.WhenBoundAsync(slot, Patience);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static class Assert
    {
        internal static IpcStatus Throws(Action action)
        {
            try
            {
                action();
                return IpcStatus.Ok;
            }
            catch (IpcException e)
            {
                return e.Status;
            }
        }
    }
}
