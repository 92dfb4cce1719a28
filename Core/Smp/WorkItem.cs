using Akka.Dispatch;

namespace M3Actors.Smp;

/// <summary>One entry of a run queue: a struct, so queueing a mailbox run allocates nothing.</summary>
/// <param name="Mailbox">The actor's mailbox to run.</param>
/// <param name="Slot">The actor's scheduling state: which vCPU its runs go to.</param>
internal readonly record struct WorkItem(Mailbox Mailbox, ActorSlot Slot);
