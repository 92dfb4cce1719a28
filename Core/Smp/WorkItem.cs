using Akka.Dispatch;

namespace M3Actors.Smp;

/// <summary>One entry of a run queue: a struct, so queueing a mailbox run allocates nothing.</summary>
/// <param name="Runnable">The mailbox (or the rare non-actor task) to run.</param>
/// <param name="Slot">The actor's scheduling state, or null for a task that belongs to no actor.</param>
internal readonly record struct WorkItem(IRunnable Runnable, ActorSlot? Slot);
