using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Wire;

/// <summary>
/// <c>wire [--quick|--smoke]</c>: runs the wire benchmark alone (the full schedule unless told), prints its readings
/// and the verdicts of the wire specs. Returns 0 when the benchmark ran (the verdicts are information here;
/// <c>specs</c> judges them), 1 when it failed, 2 on bad arguments.
/// </summary>
public static class WireCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (RunModes.Parse(args) is not { } runMode)
        {
            Console.Error.WriteLine("usage: wire [--quick | --smoke]");
            return 2;
        }

        WireResults results;
        try
        {
            results = WireBenchmark.Run(WireOptions.For(runMode), Console.Error.WriteLine);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"wire: FAILED: {e}");
            return 1;
        }
        var run = new RunResults([], null, results);
        foreach (var spec in Specs.All.OfType<WireBytesSpec>())
        {
            Console.WriteLine(spec.Evaluate(run));
        }
        return 0;
    }
}
