namespace M3Actors;

/// <summary>Placeholder until Core lands.</summary>
public static class Placeholder
{
}
