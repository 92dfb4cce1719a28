using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace M3Actors.ClusterBridge.Membership;

/// <summary>
/// Keeps a VM's cluster to its own nodes. Akka.Cluster admits any node that can reach a seed, so every established
/// member challenges each member that comes up: it must prove the VM's shared secret (an HMAC over a fresh nonce)
/// and a node id of the VM's node set that no other member holds. A member that fails, or stays silent past the
/// proof timeout, is logged and downed, which ends its ActorSystem. A new member only answers challenges until an
/// established member admits it, so a refused node cannot down the members that refuse it. This keeps out nodes of
/// other VMs and misconfigured ones; against a hostile network, turn on TLS as well.
/// </summary>
public sealed class Gatekeeper : ReceiveActor, IWithTimers
{
    /// <summary>The gatekeeper's actor name; members find each other's at <c>/user/m3-gate</c>.</summary>
    public const string Name = "m3-gate";

    private readonly BridgeOptions _options;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Address, byte[]> _pending = [];
    private readonly Dictionary<Address, int> _admitted = [];
    private bool _established;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a node's gatekeeper; <paramref name="established"/> for the node that forms the cluster.</summary>
    public static Props Props(BridgeOptions options, bool established) =>
        Akka.Actor.Props.Create(() => new Gatekeeper(options, established));

    /// <summary>Creates the gatekeeper (use <see cref="Props"/>); <paramref name="established"/> as there.</summary>
    public Gatekeeper(BridgeOptions options, bool established)
    {
        _options = options.Validated();
        _established = established;
        Receive<ClusterEvent.MemberUp>(up => Challenge(up.Member));
        Receive<ClusterEvent.MemberRemoved>(removed => Forget(removed.Member.Address));
        Receive<Challenge>(c => Sender.Tell(new Proof(_options.NodeId, Mac(c.Nonce, _options.NodeId))));
        Receive<Proof>(Check);
        Receive<Admitted>(_ => Admit());
        Receive<Refused>(r => _log.Error("this node was refused by the VM's cluster: {0}", r.Reason));
        Receive<ProofDue>(due => { if (_pending.ContainsKey(due.Address)) Refuse(due.Address, "no proof in time"); });
    }

    /// <inheritdoc />
    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));

    /// <inheritdoc />
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Challenge(Member member)
    {
        if (!_established || member.Address == _cluster.SelfAddress || _admitted.ContainsKey(member.Address)) return;
        var nonce = RandomNumberGenerator.GetBytes(32);
        _pending[member.Address] = nonce;
        Context.ActorSelection(new RootActorPath(member.Address) / "user" / Name).Tell(new Challenge(nonce));
        Timers.StartSingleTimer(member.Address, new ProofDue(member.Address), _options.ProofTimeout);
    }

    private void Check(Proof proof)
    {
        var address = Sender.Path.Address;
        if (!_pending.Remove(address, out var nonce)) return;      // not asked, or already settled
        Timers.Cancel(address);
        if (!CryptographicOperations.FixedTimeEquals(proof.Mac, Mac(nonce, proof.NodeId)))
            Refuse(address, "it does not know the VM's secret");
        else if (!_options.NodeSet.Contains(proof.NodeId))
            Refuse(address, $"node {proof.NodeId} is not in the VM's node set [{string.Join(", ", _options.NodeSet)}]");
        else if (proof.NodeId == _options.NodeId || _admitted.ContainsValue(proof.NodeId))
            Refuse(address, $"node id {proof.NodeId} is already a member");
        else
        {
            _admitted[address] = proof.NodeId;
            Sender.Tell(new Admitted(proof.NodeId));
            _log.Info("admitted node {0} at {1}", proof.NodeId, address);
            Context.System.EventStream.Publish(new NodeAdmitted(proof.NodeId, address));
        }
    }

    private void Admit()
    {
        if (_established) return;
        _established = true;
        foreach (var member in _cluster.State.Members.Where(m => m.Status == MemberStatus.Up)) Challenge(member);
    }

    private void Refuse(Address address, string reason)
    {
        Timers.Cancel(address);
        _pending.Remove(address);
        _log.Warning("refused node at {0}: {1}", address, reason);
        Context.ActorSelection(new RootActorPath(address) / "user" / Name).Tell(new Refused(reason));
        Context.System.EventStream.Publish(new NodeRefused(address, reason));
        _cluster.Down(address);
    }

    private void Forget(Address address)
    {
        Timers.Cancel(address);
        _pending.Remove(address);
        _admitted.Remove(address);
    }

    private byte[] Mac(byte[] nonce, int nodeId)
    {
        var data = new byte[nonce.Length + sizeof(int)];
        nonce.CopyTo(data, 0);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(nonce.Length), nodeId);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(_options.Secret), data);
    }

    private sealed record ProofDue(Address Address);
}
