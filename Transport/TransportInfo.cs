namespace M3Actors.Transport;

/// <summary>The shared-memory transport layer (between OS processes on one machine); filled in by its own issue.</summary>
public static class TransportInfo
{
    /// <summary>The layer name shown in diagnostics.</summary>
    public const string Name = "shared-memory";
}
