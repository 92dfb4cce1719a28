namespace M3Actors;

/// <summary>The valid key nearest a misspelt one, by edit distance, for "did you mean" hints.</summary>
internal static class KeySuggestion
{
    /// <summary>
    /// The key of <paramref name="valid"/> nearest <paramref name="key"/>, or null when none is close: a suggestion
    /// that shares less than about half its letters with the typo would mislead more than help.
    /// </summary>
    public static string? Nearest(string key, IReadOnlyCollection<string> valid)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in valid)
        {
            var distance = Distance(key, candidate);
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        return best is not null && bestDistance <= Math.Max(2, best.Length / 2) ? best : null;
    }

    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions and substitutions.</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
