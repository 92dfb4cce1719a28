using Akka.Actor;

namespace M3Actors.ClusterBridge.Membership;

/// <summary>An established member asks a new one to prove the VM's secret and its node id.</summary>
/// <param name="Nonce">Fresh random bytes, so an old proof cannot be replayed.</param>
public sealed record Challenge(byte[] Nonce);

/// <summary>The answer to a <see cref="Challenge"/>: the node id and an HMAC of the nonce and id keyed by the secret.</summary>
/// <param name="NodeId">The DRVS node id the member claims.</param>
/// <param name="Mac">HMAC-SHA256(secret, nonce ‖ node id).</param>
public sealed record Proof(int NodeId, byte[] Mac);

/// <summary>Tells a new member it was admitted: from now on it may admit others.</summary>
/// <param name="NodeId">The node id it proved.</param>
public sealed record Admitted(int NodeId);

/// <summary>Tells a new member why it was refused, just before it is downed.</summary>
/// <param name="Reason">What was wrong.</param>
public sealed record Refused(string Reason);

/// <summary>Published on the node's event stream when a member proved the secret and an id of the VM's node set.</summary>
/// <param name="NodeId">The member's DRVS node id.</param>
/// <param name="Address">The member's cluster address.</param>
public sealed record NodeAdmitted(int NodeId, Address Address);

/// <summary>Published on the node's event stream when a member was refused (and downed).</summary>
/// <param name="Address">The member's cluster address.</param>
/// <param name="Reason">What was wrong.</param>
public sealed record NodeRefused(Address Address, string Reason);
