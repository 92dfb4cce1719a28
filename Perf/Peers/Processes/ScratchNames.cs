namespace M3Actors.Perf.Peers.Processes;

/// <summary>
/// Names of the files and directories the cross-process cases make under /dev/shm and the temp directory:
/// <c>m3perf-&lt;kind&gt;-&lt;pid&gt;-&lt;guid&gt;</c>. A case removes its own in its cleanup; a run killed before
/// that (SIGKILL, a timeout) leaves them behind, so the first cross-process case of every run removes those of
/// runs whose process is gone (as <c>Tests/Transport/ArenaDirectory.cs</c> does for the tests).
/// </summary>
public static class ScratchNames
{
    private const string Prefix = "m3perf-";
    private static readonly Lazy<int> Swept = new(RemoveLeftovers);

    /// <summary>The shared-memory file system.</summary>
    public const string Shm = "/dev/shm";

    /// <summary>
    /// A fresh path in <paramref name="directory"/> for this process's <paramref name="kind"/> (letters only), ending
    /// in <paramref name="extension"/>; sweeps dead runs' leftovers first, once per process.
    /// </summary>
    public static string NewPath(string directory, string kind, string extension = "")
    {
        _ = Swept.Value;
        return Path.Combine(directory, $"{Prefix}{kind}-{Environment.ProcessId}-{Guid.NewGuid():N}{extension}");
    }

    // Every m3perf-* entry whose pid does not run any more; returns how many were removed.
    private static int RemoveLeftovers()
    {
        var removed = 0;
        foreach (var directory in new[] { Shm, Path.GetTempPath() })
        {
            if (!Directory.Exists(directory)) continue;
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory, Prefix + "*"))
            {
                if (OwnerPid(Path.GetFileName(entry)) is not { } pid || Directory.Exists($"/proc/{pid}")) continue;
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
                removed++;
            }
        }
        return removed;
    }

    // The pid in m3perf-<kind>-<pid>-<guid>[.ext], or null for a name of another layout (left alone).
    private static int? OwnerPid(string name) =>
        name.Split('-') is [_, _, var pid, _] && int.TryParse(pid, out var value) && value > 0 ? value : null;
}
