using System.Diagnostics;
using M3Actors.Transport;

namespace M3Actors.Examples.Processes;

/// <summary>
/// <c>processes</c>: one VM spanning several OS processes of this machine, its kernel in a shared arena. The
/// command starts a server process and two client processes (its children), attaches itself to show the /proc view
/// across them (each endpoint with its process id), then has client B make a call that the server holds, while a
/// monitor in the server process waits to send to B, and kills B with SIGKILL in the middle of that call. The
/// system carries on: client A's calls keep returning their own replies, the monitor is released with DstDied
/// (the rulebook's status for a destination that ended), and B's endpoint leaves /proc. Exit code 0 only if every
/// check held; the children are killed at the end, whatever happened. <c>processes --server DIR</c> and
/// <c>processes --client DIR NAME SLOT</c> are what the children run.
/// </summary>
public static class ProcessesCommand
{
    /// <summary>The parent (no arguments) or one child (<c>--server DIR</c>, <c>--client DIR NAME SLOT</c>).</summary>
    public static async Task<int> RunAsync(TextWriter output, string[] args)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["--server", var dir]) return await ProcessesChild.ServeAsync(output, dir);
        if (args is ["--client", var at, var name, var slot])
            return await ProcessesChild.CallAsync(output, at, name, int.Parse(slot));
        if (args.Length > 0)
        {
            output.WriteLine("usage: processes");
            return 2;
        }
        if (!OperatingSystem.IsLinux())
        {
            output.WriteLine("processes: a VM shared between processes needs Linux (futexes, pidfds, /dev/shm)");
            return 2;
        }
        var directory = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(),
            $"m3actors-processes-{Environment.ProcessId}");
        Directory.CreateDirectory(directory,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            return await RunParentAsync(output, directory);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IpcException)
        {
            output.WriteLine($"FAIL: {e.Message}");
            return 1;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<int> RunParentAsync(TextWriter output, string directory)
    {
        using var server = ChildProcess.Start("the server process", "--server", directory);
        var serving = (await server.ExpectAsync("serving ")).Split(' ');
        output.WriteLine($"server process up, pid {server.Pid}: echo {serving[1]}, slow {serving[2]}, " +
            $"monitor {serving[3]}");
        using var a = ChildProcess.Start("client A", "--client", directory, "A", "20");
        using var b = ChildProcess.Start("client B", "--client", directory, "B", "21");
        var clientA = new Endpoint(int.Parse((await a.ExpectAsync("bound ")).Split(' ')[1]));
        var clientB = new Endpoint(int.Parse((await b.ExpectAsync("bound ")).Split(' ')[1]));
        output.WriteLine($"client A up, pid {a.Pid}, endpoint {clientA}; client B up, pid {b.Pid}, endpoint {clientB}");

        var drvs = Drvs.Start();
        var vm = drvs.AttachVm(ProcessesChild.Options(directory));
        try
        {
            var before = Progress(await a.ExpectAsync("calls "));
            output.WriteLine($"client A before the kill: {before.Ok} calls ok, {before.Wrong} wrong");
            b.Send("hold");
            await b.ExpectAsync("holding");
            await server.ExpectAsync($"holding {clientB.Value}");
            var monitor = new Endpoint(int.Parse(serving[3]));
            await AwaitAsync(() => StateOf(vm, monitor)?.StartsWith("SENDING", StringComparison.Ordinal) == true,
                "the monitor never blocked sending to client B");
            output.WriteLine("/proc across the processes, client B in the middle of its call:");
            Print(output, vm);

            var clock = Stopwatch.StartNew();
            await b.KillHardAsync();
            output.WriteLine($"client B (pid {b.Pid}) killed with SIGKILL");
            var released = await server.ExpectAsync("released ");
            output.WriteLine($"monitor in the server process: {released} ({clock.ElapsedMilliseconds} ms after " +
                "the kill)");
            await AwaitAsync(() => vm.Snapshot().Procs.All(p => p.ProcessId != b.Pid),
                "client B's endpoint is still listed after the kill");
            var after = Progress(await a.ExpectAsync("calls "));
            after = Progress(await a.ExpectAsync("calls "));        // a whole progress period after the kill
            output.WriteLine($"client A after the kill: {after.Ok} calls ok, {after.Wrong} wrong, " +
                $"{after.Failed} failed");
            output.WriteLine("/proc after the kill:");
            Print(output, vm);

            var checks = new (bool Held, string What)[]
            {
                (before.Wrong == 0 && after.Wrong == 0 && after.Failed == 0, "client A got only its own replies"),
                (after.Ok > before.Ok, "client A went on calling after the kill"),
                (released == $"released send {IpcStatus.DstDied} reply {IpcStatus.DeadSrcDst}",
                    "the monitor got DstDied and a late reply to client B DeadSrcDst"),
                (vm.Snapshot().Procs.All(p => p.Endpoint != clientB), "client B's endpoint left /proc"),
            };
            foreach (var (held, what) in checks) output.WriteLine($"{(held ? "ok  " : "FAIL")} {what}");
            var pass = checks.All(c => c.Held);
            output.WriteLine(pass ? "PASS" : "FAIL");
            return pass ? 0 : 1;
        }
        finally
        {
            await vm.EndAsync().WaitAsync(ProcessesChild.Patience);
            await drvs.EndAsync().WaitAsync(ProcessesChild.Patience);
        }
    }

    private static (long Ok, long Wrong, long Failed) Progress(string line)
    {
        // "calls ok N wrong N failed N"
        var w = line.Split(' ');
        return (long.Parse(w[2]), long.Parse(w[4]), long.Parse(w[6]));
    }

    private static string? StateOf(Vm vm, Endpoint e) =>
        vm.Snapshot().Procs.FirstOrDefault(p => p.Endpoint == e)?.State;

    private static void Print(TextWriter output, Vm vm)
    {
        output.WriteLine($"  {"pid",7}  {"endpoint",8}  {"owner",-14}  state");
        foreach (var p in vm.Snapshot().Procs.OrderBy(p => p.ProcessId).ThenBy(p => p.Slot))
            output.WriteLine($"  {p.ProcessId,7}  {p.Endpoint.Value,8}  {Short(p.Owner),-14}  {p.State}");
    }

    private static string Short(string owner) => owner.Length <= 14 ? owner : owner[..14];

    // Polls the /proc view (it reads shared memory; there is nothing to wait on across processes).
    private static async Task AwaitAsync(Func<bool> condition, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > ProcessesChild.Patience) throw new TimeoutException(failure);
            await Task.Delay(10);
        }
    }
}
