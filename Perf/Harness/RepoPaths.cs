namespace M3Actors.Perf.Harness;

/// <summary>Where a run writes its report: <c>artifacts/perf</c> under the repository root.</summary>
public static class RepoPaths
{
    private const string SolutionFile = "M3Actors.sln";

    /// <summary>The directory holding M3Actors.sln, searched upwards from the working directory, then from the binary.</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException(
            $"No {SolutionFile} above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}: run from inside the repository.");
    }

    /// <summary><c>artifacts/perf</c> under the repository root, created if missing.</summary>
    public static string PerfArtifacts()
    {
        var path = Path.Combine(RepoRoot(), "artifacts", "perf");
        Directory.CreateDirectory(path);
        return path;
    }
}
