namespace M3Actors.Examples.Demo;

/// <summary>
/// Prints the demo as short plain lines and keeps score: every claim the demo makes is a check, and any failed check
/// makes the exit code non-zero.
/// </summary>
public sealed class Story(TextWriter output)
{
    /// <summary>Checks made so far.</summary>
    public int Checks { get; private set; }

    /// <summary>Checks that failed.</summary>
    public int Failures { get; private set; }

    /// <summary>A heading for the next part of the story.</summary>
    public void Part(string title) => output.WriteLine($"\n== {title}");

    /// <summary>A line that reports without checking.</summary>
    public void Say(string text) => output.WriteLine($"     {text}");

    /// <summary>A checked claim: "ok" or "FAIL" in front of it.</summary>
    public bool Check(bool ok, string text)
    {
        Checks++;
        if (!ok) Failures++;
        output.WriteLine($"{(ok ? "ok  " : "FAIL")} {text}");
        return ok;
    }

    /// <summary>A checked call outcome: the claim holds when <paramref name="actual"/> is <paramref name="expected"/>.</summary>
    public bool Expect(IpcStatus actual, IpcStatus expected, string text) =>
        Check(actual == expected, actual == expected ? $"{text}: {actual} ({(int)actual})" : $"{text}: {actual}, expected {expected}");

    /// <summary>Text output (for multi-line blocks such as the /proc view).</summary>
    public TextWriter Output => output;
}
