using Akka.Actor;
using Akka.Event;
using M3Actors.Kernel;

namespace M3Actors.Actors;

/// <summary>
/// How the kernel wakes an actor owner: a Tell of one shared token. The rendezvous queue drops the token and asks the
/// kernel what is deliverable, so a wakeup carries no data and allocates nothing. As the port of a caller, it holds
/// the wakeups of other actors that the actor's calls cause inside a handler (<see cref="DeferredWakes"/>).
/// </summary>
internal sealed class ActorPort : IEndpointPort, IWakeCollector
{
    private readonly IActorRef _self;

    /// <summary>The port of the actor <paramref name="self"/>.</summary>
    internal ActorPort(IActorRef self)
    {
        _self = self;
        Held = new DeferredWakes(this);
    }

    /// <summary>The wakeups this actor's handler holds.</summary>
    internal DeferredWakes Held { get; }

    public void Completed() => Wake();

    public void Pending() => Wake();

    /// <inheritdoc />
    public bool TryCollect(IEndpointPort woken) => Held.TryAdd(woken);

    // The kernel raised the proc's work hint (and published an outcome) under a slot lock, and the rendezvous queue
    // drops the token without an interlocked operation, so only that lock's release stands between those stores and
    // the dispatcher's read of the mailbox status, and a release need not be a full fence (the SpinLock the kernel
    // used had none; the transport swaps in its own lock word). Without a fence the store-load reordering x86 allows
    // loses a wakeup: the Tell reads the mailbox as still scheduled and leaves it, while the finishing mailbox run
    // reads the old hint and goes idle — the endpoint then sits READY forever (seen in the IPC2 thread benchmark
    // about once in 300,000 round trips).
    private void Wake()
    {
        Interlocked.MemoryBarrier();
        using var caller = CapturedRuns.ForCaller();
        Schedule();
    }

    /// <summary>Schedules the actor's mailbox; the caller has fenced the kernel's stores before it.</summary>
    internal void Schedule() => _self.Tell(Wakeup.Instance, ActorRefs.NoSender);
}

/// <summary>The token that schedules an endpoint actor's mailbox; never stored, never handled by the actor.</summary>
internal sealed class Wakeup : IDeadLetterSuppression
{
    internal static readonly Wakeup Instance = new();

    private Wakeup()
    {
    }
}
