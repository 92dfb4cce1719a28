using BenchmarkDotNet.Running;
using M3Actors.Perf.Harness;
using M3Actors.Perf.Latency;
using M3Actors.Perf.Peers.Processes;
using M3Actors.Perf.Report;
using M3Actors.Perf.Wire;

// specs: the specs and report; latency: the latency benchmark alone; wire: the wire benchmark alone;
// peer: the child side of the cross-process peers;
// rounds: one case without BenchmarkDotNet, with context switches per operation;
// anything else is plain BenchmarkDotNet (e.g. --filter '*IPC2*'), which also writes the report.
return args switch
{
    ["specs", .. var rest] => SpecsCommand.Run(rest),
    ["latency", .. var rest] => LatencyCommand.Run(rest),
    ["wire", .. var rest] => WireCommand.Run(rest),
    ["peer", .. var rest] => PeerServer.Run(rest),
    ["rounds", .. var rest] => RoundsCommand.Run(rest),
    _ => RunSwitcher(args),
};

static int RunSwitcher(string[] args)
{
    var artifacts = RepoPaths.PerfArtifacts();
    var summaries = BenchmarkSwitcher.FromTypes(BenchmarkCatalog.All()).Run(args, PerfConfig.ForSwitcher(artifacts)).ToList();
    var measurements = ReportWriter.Measurements(summaries);
    if (measurements.Count > 0)
    {
        var report = ReportWriter.WriteAll(artifacts, $"BenchmarkDotNet {string.Join(' ', args)} (in process)", new RunResults(measurements, null), []);
        Console.WriteLine($"report: {report}");
    }
    return measurements.All(m => m.Succeeded) ? 0 : 1;
}
