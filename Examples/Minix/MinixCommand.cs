using System.Globalization;
using Akka.Actor;
using System.Diagnostics;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>
/// <c>minix [--clients N] [--crashes K] [--seconds S]</c>: boots the system, traces one read through shell → vfs →
/// disk, runs N shells for S seconds while the disk driver is crashed K times at random moments, and reports. Exit
/// code 0 only if every byte read back was right, no shell saw an error and RS healed every crash.
/// </summary>
public static class MinixCommand
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Runs the command; returns the process exit code (2 for bad arguments).</summary>
    public static async Task<int> RunAsync(TextWriter output, string[] args)
    {
        if (!TryParse(args, out var clients, out var crashes, out var seconds, out var error))
        {
            output.WriteLine($"minix: {error}; usage: minix [--clients N] [--crashes K] [--seconds S]");
            return 2;
        }
        output.WriteLine($"minix: {clients} shells for {seconds} s, {crashes} disk driver crashes at random moments");
        var tally = new ShellTally();
        var trace = new MinixTrace();
        using var stop = new CancellationTokenSource();
        var programs = new Dictionary<string, UserProgram> { ["sh"] = Shell.Program(tally, Patience, stop.Token) };
        await using var drvs = Drvs.Start();
        var vm = drvs.StartVm(new VmOptions { Id = 1, Name = "minix" });
        var system = await MinixSystem.BootAsync(vm, new BlockDevice(1024), programs, trace);
        output.WriteLine($"boot: rs, pm, vfs, clock and disk up in {vm} on system slots " +
                         $"{RsSlot}, {PmSlot}, {VfsSlot}, {ClockSlot}, {DiskSlot}");

        var traced = await TraceOneReadAsync(vm, trace);
        output.WriteLine(traced);

        // The shells run until S seconds have passed and every crash was healed (or given up on): a crash armed late
        // on a slow machine still meets a request.
        var run = Stopwatch.StartNew();
        var injector = InjectCrashesAsync(system, crashes, TimeSpan.FromSeconds(seconds));
        var shells = system.RunProgramsAsync(
            Enumerable.Range(0, clients).Select(i => $"sh {i}").ToArray(), TimeSpan.FromSeconds(seconds) + Patience);
        await Task.WhenAll(Task.Delay(TimeSpan.FromSeconds(seconds)), injector);
        await stop.CancelAsync();
        var exits = await shells;
        var injected = await injector;
        run.Stop();

        foreach (var (restart, i) in system.Journal.Restarts.Select((r, i) => (r, i + 1)))
            output.WriteLine($"restart {i}: {restart.Service} ({restart.Reason}); back on its endpoint, " +
                             $"dependants notified, in {restart.Recovery.TotalMilliseconds:F2} ms");
        foreach (var failure in system.Journal.Failures) output.WriteLine($"restart FAILED: {failure}");
        foreach (var failure in tally.Failures) output.WriteLine($"client failure: {failure}");

        var recovery = system.Journal.Restarts.Select(r => r.Recovery.TotalMilliseconds).Order().ToArray();
        var healed = system.Journal.Restarts.Count(r => r.Service == "disk");
        var exitedOk = exits.Count(s => s == Ok);
        output.WriteLine($"file operations done:       {tally.Ops} in {run.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"failed as seen by clients:  {tally.Failed}");
        output.WriteLine($"driver restarts:            {healed} of {injected} crashes injected");
        output.WriteLine(recovery.Length == 0 ? "recovery time:              (no restarts)"
            : $"recovery time:              p50 {Percentile(recovery, 50):F2} ms, " +
              $"p99 {Percentile(recovery, 99):F2} ms");
        output.WriteLine($"bytes checked:              {tally.BytesChecked} ({tally.BytesWrong} wrong)");
        output.WriteLine($"shells exited 0:            {exitedOk} of {clients}");
        var pass = tally is { Failed: 0, BytesWrong: 0, BytesChecked: > 0 } && exitedOk == clients
            && healed == crashes && injected == crashes && system.Journal.Failures.Count == 0;
        output.WriteLine(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    // Writes a file as one process, then traces one read of it (two blocks, so two trips to the disk).
    private static async Task<string> TraceOneReadAsync(Vm vm, MinixTrace trace)
    {
        const int size = BlockSize + BlockSize / 2;
        var result = 0;
        await vm.RunTask(async (me, ending) =>
        {
            var libc = new Libc(me, size, Patience, ending, trace);
            var fd = await libc.OpenAsync("trace", OCreat | OTrunc);
            var written = fd < 0 ? fd : await libc.WriteAsync(fd, size);
            fd = written < 0 ? written : await libc.OpenAsync("trace", 0);
            if (fd < 0)
            {
                result = fd;
                return;
            }
            trace.Start();
            result = await libc.ReadAsync(fd, size);
            trace.Stop();
        }, owner: "trace").WaitAsync(Patience * 2);
        if (result != size) return $"trace: the traced read returned {Describe(result)}, not {size} B";
        Directory.CreateDirectory(Path.Combine("artifacts", "minix"));
        var text = Path.Combine("artifacts", "minix", "read-trace.txt");
        await File.WriteAllTextAsync(text, trace.ToText());
        var diagram = "# One read through shell → vfs → disk\n\n" + trace.ToMermaid();
        await File.WriteAllTextAsync(Path.ChangeExtension(text, ".md"), diagram);
        return $"trace: one read of {size} B through shell -> vfs -> disk, {trace.Events.Count} events, " +
               $"in {text} (+ .md):\n{trace.ToText().TrimEnd()}";
    }

    // Crash k is armed at a random moment in the k-th of K equal parts of the run's first 80 %, and only after
    // crash k-1 has been healed, so each restart is measured on its own. Returns how many were injected and healed.
    private static async Task<int> InjectCrashesAsync(MinixSystem system, int crashes, TimeSpan run)
    {
        var slice = run * 0.8 / Math.Max(crashes, 1);
        var start = Stopwatch.StartNew();
        for (var k = 0; k < crashes; k++)
        {
            var moment = slice * k + slice * Random.Shared.NextDouble();
            if (moment > start.Elapsed) await Task.Delay(moment - start.Elapsed);
            try
            {
                await system.CrashOnNextRequestAsync(DiskSlot, Patience);
                await system.Journal.WhenRestartedAsync(k + 1, RsServer.RestartBound + Patience);
            }
            catch (Exception e) when (e is TimeoutException or AskTimeoutException)
            {
                return k;
            }
        }
        return crashes;
    }

    // Nearest rank: with few samples p99 is the slowest one.
    private static double Percentile(double[] sorted, int p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static bool TryParse(string[] args, out int clients, out int crashes, out double seconds, out string error)
    {
        (clients, crashes, seconds, error) = (4, 3, 2, "");
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : "";
            var ok = args[i] switch
            {
                "--clients" => int.TryParse(value, out clients) && clients is > 0 and <= 64,
                "--crashes" => int.TryParse(value, out crashes) && crashes is >= 0 and <= 1000,
                "--seconds" => double.TryParse(value, CultureInfo.InvariantCulture, out seconds)
                               && seconds is > 0 and <= 50,
                _ => false,
            };
            if (!ok)
            {
                error = $"bad option '{args[i]} {value}' (clients 1..64, crashes 0..1000, seconds > 0 and <= 50)";
                return false;
            }
        }
        return true;
    }
}
