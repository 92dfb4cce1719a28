namespace M3Actors.ClusterBridge.Copies;

/// <summary>Names one vcopy across nodes on every node it touches: its requester's node and its number there.</summary>
/// <param name="RequesterNode">The node of the endpoint that asked for the copy.</param>
/// <param name="Copy">The copy's number on that node (the frames' correlation id).</param>
internal readonly record struct CopyKey(int RequesterNode, long Copy);
