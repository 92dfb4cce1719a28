namespace M3Actors.ClusterBridge;

/// <summary>The Akka.Cluster bridge layer (endpoints on remote nodes); filled in by its own issue.</summary>
public static class BridgeInfo
{
    /// <summary>The layer name shown in diagnostics.</summary>
    public const string Name = "akka-cluster";
}
