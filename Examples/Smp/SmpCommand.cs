using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using M3Actors.Smp;
using ScottPlot;

namespace M3Actors.Examples.Smp;

/// <summary>
/// <c>smp</c>: the SMP practicals in one command. IPC2 (actor client → sendrec → actor server → reply) with k pairs,
/// under each policy with 1 vCPU, N vCPUs (the machine's CPUs) and 2N vCPUs (more than the CPUs), plus the same
/// system on Akka's default dispatcher for reference. Prints a table (round trips/s, per-vCPU load, migrations,
/// steals) and writes <c>artifacts/smp/smp-ipc2.png</c> and <c>.md</c>.
/// </summary>
public static class SmpCommand
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly string[] PolicyNames = ["symmetric", "affinity-static", "affinity-dynamic", "asymmetric"];

    /// <summary>One measured configuration.</summary>
    public sealed record Row(string Policy, int Vcpus, double RoundTripsPerSecond, IReadOnlyList<double> Load, long Migrations, long Steals, string? Note = null);

    /// <summary>Runs the practicals; args: [pairs (default 4)] [seconds per run (default 1)].</summary>
    public static async Task<int> RunAsync(TextWriter output, string[] args)
    {
        var pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0;
        if (pairs is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(args), pairs, "pairs must be 1..16 (servers use system slots)");
        var n = Environment.ProcessorCount;
        var window = TimeSpan.FromSeconds(seconds);
        output.WriteLine($"SMP practicals: IPC2 (actor sendrec -> actor reply), {pairs} client/server pairs, {seconds:0.0} s per run, " +
                         $"{n} physical CPUs; vCPU counts 1, N = {n}, 2N = {2 * n}");
        output.WriteLine("placement: affinity-* put both ends of pair i on vCPU i mod n; asymmetric puts servers on reserved vCPU 0, clients on the rest;");
        output.WriteLine("           symmetric places nothing (one shared run queue). load = busy share of each vCPU during the run.");

        // One unmeasured pass over a pool VM and a vCPU VM first: the runtime tiers the hot path during the process's
        // first seconds, and the first row (the default dispatcher) measured 2.9 M/s cold against 4.3-5.6 M/s warm.
        await MeasureAsync("default dispatcher", null, pairs, window);
        await MeasureAsync("affinity-static", n, pairs, window);
        var rows = new List<Row> { await MeasureAsync("default dispatcher", null, pairs, window) };
        foreach (var policy in PolicyNames)
        {
            foreach (var vcpus in new[] { 1, n, 2 * n }.Distinct())
            {
                rows.Add(policy == "asymmetric" && vcpus < 2
                    ? new Row(policy, vcpus, double.NaN, [], 0, 0, "n/a: needs a reserved and a client vCPU")
                    : await MeasureAsync(policy, vcpus, pairs, window));
            }
        }

        var table = Table(rows);
        output.WriteLine();
        output.Write(table);
        var fairness = string.Join('\n', await SmpFairness.MeasureAsync(window)) + "\n";
        output.WriteLine();
        output.Write(fairness);
        var dir = Path.Combine(RepoRoot(), "artifacts", "smp");
        Directory.CreateDirectory(dir);
        var png = Path.Combine(dir, "smp-ipc2.png");
        WriteChart(png, rows, pairs, n);
        await File.WriteAllTextAsync(Path.Combine(dir, "smp-ipc2.md"),
            $"# SMP practicals: IPC2, {pairs} pairs, {n} physical CPUs\n\n```\n{table}```\n\n```\n{fairness}```\n\n![chart](smp-ipc2.png)\n");
        output.WriteLine();
        output.WriteLine($"chart: {png}");
        return rows.Where(r => r.Note is null).All(r => r.RoundTripsPerSecond > 0) ? 0 : 1;
    }

    private static async Task<Row> MeasureAsync(string policy, int? vcpus, int pairs, TimeSpan window)
    {
        var options = vcpus is { } count
            ? new VcpuOptions { Count = count, Policy = Parse(policy), ReservedVcpus = policy == "asymmetric" ? 1 : null }
            : null;
        await using var drvs = Drvs.Start();
        var vm = drvs.StartVm(new VmOptions { Id = 1, Name = "ipc2", Vcpus = options });
        var clients = new IActorRef[pairs];
        for (var i = 0; i < pairs; i++)
        {
            var (role, hint) = Placement(policy, vcpus ?? 1, i);
            var slot = i;
            vm.ActorOf(Props.Create(() => new EchoPairServer(slot)), $"server-{i}", VcpuRole.Server, role == VcpuRole.Server ? hint : null);
            await vm.WhenBoundAsync(i, Patience);
            clients[i] = vm.ActorOf(Props.Create(() => new EchoPairClient()), $"client-{i}", VcpuRole.Client, hint);
        }
        await RoundAsync(clients, 200, new StopFlag());     // warm-up: every actor started, JIT done

        var before = vm.Vcpus?.Snapshot();
        var stop = new StopFlag();
        var clock = Stopwatch.StartNew();
        var round = RoundAsync(clients, long.MaxValue, stop);
        await Task.Delay(window);       // the measurement window, not a synchronisation
        stop.Stop();
        var total = await round;
        var elapsed = clock.Elapsed.TotalSeconds;
        var after = vm.Vcpus?.Snapshot();
        if (before is null || after is null) return new Row(policy, 0, total / elapsed, [], 0, 0);
        var run = after.Zip(before, (a, b) => a.Since(b)).ToList();
        return new Row(policy, vcpus!.Value, total / elapsed, run.Select(v => v.LoadPercent).ToList(),
            run.Sum(v => v.Migrations), run.Sum(v => v.Steals));
    }

    // affinity-*: pair i on vCPU i mod n, both ends; asymmetric: roles, round-robin; symmetric: nothing to place.
    private static (VcpuRole Role, int? Vcpu) Placement(string policy, int vcpus, int pair) => policy switch
    {
        "affinity-static" or "affinity-dynamic" => (VcpuRole.Server, pair % vcpus),
        _ => (VcpuRole.Client, null),
    };

    private static async Task<long> RoundAsync(IActorRef[] clients, long limit, StopFlag stop)
    {
        var runs = clients.Select(c =>
        {
            var go = new Go(Protocol.ServerOf(Array.IndexOf(clients, c)), limit, stop);
            c.Tell(go, ActorRefs.NoSender);
            return go.Done.Task;
        }).ToList();
        return (await Task.WhenAll(runs).WaitAsync(Patience * 3)).Sum();
    }

    private static SchedulingPolicy Parse(string name) => name switch
    {
        "symmetric" => SchedulingPolicy.Symmetric,
        "affinity-static" => SchedulingPolicy.AffinityStatic,
        "affinity-dynamic" => SchedulingPolicy.AffinityDynamic,
        "asymmetric" => SchedulingPolicy.Asymmetric,
        _ => throw new ArgumentException($"unknown policy '{name}'", nameof(name)),
    };

    private static string Table(IReadOnlyList<Row> rows)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"{"policy",-18} {"vCPUs",5} {"round trips/s",14} {"migrations",10} {"steals",7}  load % per vCPU");
        foreach (var r in rows)
        {
            var vcpus = r.Vcpus == 0 ? "-" : r.Vcpus.ToString(CultureInfo.InvariantCulture);
            if (r.Note is not null)
            {
                text.AppendLine($"{r.Policy,-18} {vcpus,5} {"-",14} {"-",10} {"-",7}  {r.Note}");
                continue;
            }
            var load = r.Load.Count == 0 ? "(thread pool)" : string.Join(" ", r.Load.Select((l, i) => string.Create(CultureInfo.InvariantCulture, $"v{i}:{l:0}")));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Policy,-18} {vcpus,5} {r.RoundTripsPerSecond,14:N0} {r.Migrations,10} {r.Steals,7}  {load}"));
        }
        return text.ToString();
    }

    private static void WriteChart(string path, IReadOnlyList<Row> rows, int pairs, int n)
    {
        var plot = new Plot();
        var counts = rows.Where(r => r.Vcpus > 0).Select(r => r.Vcpus).Distinct().Order().ToList();
        var colors = new[] { Colors.SteelBlue, Colors.DarkOrange, Colors.SeaGreen, Colors.Gray };
        var bars = new List<Bar>();
        var groups = new List<string> { "default dispatcher" };
        groups.AddRange(PolicyNames);
        var width = counts.Count + 1;
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var r in rows.Where(r => r.Policy == groups[g] && r.Note is null))
            {
                var c = r.Vcpus == 0 ? counts.Count / 2 : counts.IndexOf(r.Vcpus);
                bars.Add(new Bar
                {
                    Position = g * width + c,
                    Value = r.RoundTripsPerSecond,
                    FillColor = r.Vcpus == 0 ? colors[3] : colors[c % 3],
                    Label = FormatRate(r.RoundTripsPerSecond),
                });
            }
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(groups.Select((_, g) => g * width + (counts.Count - 1) / 2.0).ToArray(), groups.ToArray());
        plot.Axes.Left.Label.Text = "round trips per second";
        plot.Title($"SMP practicals — IPC2, {pairs} actor client/server pairs, {n} physical CPUs");
        for (var c = 0; c < counts.Count; c++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{counts[c]} vCPU{(counts[c] == 1 ? "" : "s")}", FillColor = colors[c % 3] });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "default dispatcher (thread pool)", FillColor = colors[3] });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Margins(bottom: 0, top: 0.2);
        plot.SavePng(path, 1200, 700);
    }

    private static string FormatRate(double rate) =>
        rate >= 1e6 ? string.Create(CultureInfo.InvariantCulture, $"{rate / 1e6:0.00}M") : string.Create(CultureInfo.InvariantCulture, $"{rate / 1e3:0}k");

    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "M3Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("no M3Actors.sln above the working directory: run from inside the repository");
    }

    private static class Protocol
    {
        // Servers sit on system slots 0..k-1, so clients name them without a lookup.
        public static Endpoint ServerOf(int pair) => Endpoint.System(pair);
    }
}
