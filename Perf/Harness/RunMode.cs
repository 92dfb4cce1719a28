namespace M3Actors.Perf.Harness;

/// <summary>How long and how strictly a <c>specs</c> run measures.</summary>
public enum RunMode
{
    /// <summary>One cold invocation per case: proves every benchmark runs and the report is written; no bars.</summary>
    Smoke,

    /// <summary>Short in-process jobs (a few 100 ms iterations per case): bars evaluated, well under 5 minutes.</summary>
    Quick,

    /// <summary>BenchmarkDotNet's default job, in process: bars evaluated on the most stable numbers.</summary>
    Full,
}

/// <summary>Reads a command's run mode from its arguments.</summary>
public static class RunModes
{
    /// <summary>No argument is <see cref="RunMode.Full"/>, <c>--quick</c> / <c>--smoke</c> the others; anything else
    /// null (the caller prints its usage).</summary>
    public static RunMode? Parse(string[] args) => args switch
    {
        [] => RunMode.Full,
        ["--quick"] => RunMode.Quick,
        ["--smoke"] => RunMode.Smoke,
        _ => null,
    };
}
