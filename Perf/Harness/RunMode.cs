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
