using Akka.Actor;
using M3Actors.Smp;

namespace M3Actors.Tests.Smp;

/// <summary>Asks an actor where its handler runs.</summary>
public sealed record WhereAmI;

/// <summary>Where a handler ran: the vCPU (null off the vCPU threads), the CPU libc reports, the vCPU's pin and thread name.</summary>
public sealed record Here(int? Vcpu, int Cpu, int PhysicalCpu, string? Thread);

/// <summary>Replies <see cref="Here"/> to <see cref="WhereAmI"/>; counts kernel calls on request.</summary>
public sealed class WhereActor : UntypedActor
{
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case WhereAmI:
                var vcpu = Vcpu.Current;
                Sender.Tell(new Here(vcpu?.Id, CpuAffinity.CurrentCpu(), vcpu?.PhysicalCpu ?? -1, Thread.CurrentThread.Name));
                break;
            case KernelWork work:
                for (var i = 0; i < work.Entries; i++) Vcpu.Current!.OnKernelEntry();
                for (var i = 0; i < work.Deliveries; i++) Vcpu.Current!.OnMessageDelivered();
                Sender.Tell(work);
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>Makes a <see cref="WhereActor"/> report IPC work as the kernel would.</summary>
public sealed record KernelWork(int Entries, int Deliveries);

/// <summary>Starts a ping-pong of <paramref name="RoundTrips"/> round trips with <paramref name="Partner"/>.</summary>
public sealed record StartPingPong(IActorRef Partner, int RoundTrips);

/// <summary>The ping-pong finished.</summary>
public sealed record PingPongDone;

/// <summary>Plays ping-pong with an echoing partner and tells whoever started it when it is done.</summary>
public sealed class Pinger : UntypedActor
{
    private IActorRef _partner = ActorRefs.Nobody;
    private IActorRef _starter = ActorRefs.Nobody;
    private int _left;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case StartPingPong start:
                (_partner, _starter, _left) = (start.Partner, Sender, start.RoundTrips);
                _partner.Tell("ping");
                break;
            case "pong" when --_left == 0:
                _starter.Tell(new PingPongDone());
                break;
            case "pong":
                _partner.Tell("ping");
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>Answers "ping" with "pong".</summary>
public sealed class Ponger : ReceiveActor
{
    public Ponger() => Receive<string>(s => s == "ping", _ => Sender.Tell("pong"));
}

/// <summary>Makes a <see cref="Blocker"/> hold its vCPU until <paramref name="Gate"/> opens (or the limit passes).</summary>
public sealed record Block(ManualResetEventSlim Gate, TimeSpan Limit);

/// <summary>
/// On "block" (its own gate) or <see cref="Block"/> (the message's gate): reports "blocked", holds its vCPU until
/// the gate opens, then reports "released".
/// </summary>
public sealed class Blocker : ReceiveActor
{
    public Blocker(ManualResetEventSlim gate, TimeSpan limit)
    {
        Receive<string>(s => s == "block", _ => Hold(gate, limit));
        Receive<WhereAmI>(_ => Sender.Tell(new Here(Vcpu.Current?.Id, CpuAffinity.CurrentCpu(), -1, null)));
    }

    public Blocker()
    {
        Receive<Block>(b => Hold(b.Gate, b.Limit));
        Receive<WhereAmI>(_ => Sender.Tell(new Here(Vcpu.Current?.Id, CpuAffinity.CurrentCpu(), -1, null)));
    }

    private void Hold(ManualResetEventSlim gate, TimeSpan limit)
    {
        Sender.Tell("blocked");
        // The limit is the test's failure path: a gate never opened must not hold the vCPU forever.
        Sender.Tell(gate.Wait(limit) ? "released" : "gate timed out");
    }
}
