namespace M3Actors.Examples.Demo;

/// <summary>Bounded waits on the /proc view: a state the demo waits for, with a deadline, never a sleep hoping for it.</summary>
internal static class Poll
{
    /// <summary>True once <paramref name="condition"/> holds; false if it still does not after <paramref name="patience"/>.</summary>
    internal static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(2);
        }
        return true;
    }
}
