namespace M3Actors.Perf.Wire;

/// <summary>The wire benchmark's readings, one per <see cref="WireLoad"/> it measured.</summary>
public sealed record WireResults(IReadOnlyList<WireReading> Readings)
{
    /// <summary>The reading of <paramref name="load"/>, or null when the run lacks it.</summary>
    public WireReading? Find(WireLoad load) => Readings.FirstOrDefault(r => r.Load == load);
}
