using Akka.Dispatch;

namespace M3Actors.Actors;

/// <summary>
/// Lets a thread run the mailboxes that its own wakeups schedule instead of handing each to a pool thread. Two users:
/// the transport's wake thread (one per process of a VM shared between processes) captures the runs of the actors it
/// wakes, then runs them itself — a cross-process actor round trip otherwise pays a pool hand-off on each side, on a
/// 2-core VM usually a parked worker's wake-up (≈ 25 µs), where the wake thread, spinning for the next reply, is
/// already running; and an endpoint actor whose handler returned runs the last partner it woke
/// (<see cref="DeferredWakes"/>). Only runs scheduled while capturing are taken (by <see cref="VmExecutor"/>);
/// whatever those runs schedule goes to the pool as usual, so runs never nest more than one deep and an actor that
/// waits for another one never waits for its own thread. Allocation-free once the per-thread list has grown to the
/// largest batch. The same per-thread state tells <see cref="VmExecutor"/> where a run it does not capture goes
/// (<see cref="ForCaller"/>).
/// </summary>
internal static class CapturedRuns
{
    // One thread-static reference, so each step reads the runtime's TLS once.
    [ThreadStatic] private static PerThread? t_thread;

    /// <summary>
    /// This thread's capture state, for a caller that takes several steps (<see cref="DeferredWakes"/>: is it idle,
    /// whom does it hand over for, begin, run) with one thread-static read: each read is a call into the runtime's
    /// TLS on Linux, and the hand-over takes these steps on every hop.
    /// </summary>
    internal static PerThread ThisThread => t_thread ??= new PerThread();

    /// <summary>While this thread runs what it captured for an actor's hand-over, that actor's port; else null
    /// (<see cref="PerThread.HandingOver"/>).</summary>
    internal static ActorPort? HandingOver => t_thread?.HandingOver;

    /// <summary>From now on, runs this thread schedules are kept for <see cref="RunCaptured"/>
    /// (<see cref="PerThread.Begin"/>).</summary>
    internal static void Begin() => ThisThread.Begin(origin: null);

    /// <summary>
    /// Marks this thread as <paramref name="vcpu"/>'s, once, before it runs anything: a vCPU's run is captured only by
    /// a thread of its dispatcher's vCPUs (<see cref="TryCaptureOnVcpu"/>), read with the same thread-static read.
    /// </summary>
    internal static void BindVcpu(Smp.Vcpu vcpu) => (t_thread ??= new PerThread()).Vcpu = vcpu;

    /// <summary>
    /// Keeps <paramref name="run"/> when this thread is capturing and belongs to no vCPU (the only threads a VM's
    /// executor may capture on: a run of its dispatcher would otherwise hold a vCPU, uncounted); false to schedule it
    /// as usual, on this thread's own pool queue when <paramref name="preferLocal"/> (<see cref="ForCaller"/>).
    /// </summary>
    internal static bool TryCapture(IRunnable run, out bool preferLocal)
    {
        if (t_thread is not { Vcpu: null } thread)
        {
            preferLocal = false;
            return false;
        }
        preferLocal = thread.WakingForCaller;
        if (!thread.Capturing) return false;
        thread.Captured.Add(run);
        return true;
    }

    /// <summary>
    /// While the returned scope lasts, this thread wakes an actor for an IPC caller that is not an actor's handler
    /// (ActorPort.Wake): typically a task that awaits its call and gives its pool thread back at once. The actor's
    /// run then goes to this thread's own pool queue, so the thread that made the call runs the answer next, where
    /// the global queue handed it to another worker (a task client's round trip took 25–30 % longer at 4 pairs).
    /// Only such wakes: an actor's run that ends at its throughput is queued globally, as Akka's executor does,
    /// since a worker takes its own queue last-in first-out and would run that actor again at once.
    /// </summary>
    internal static CallerScope ForCaller()
    {
        var thread = ThisThread;
        thread.WakingForCaller = true;
        return new CallerScope(thread);
    }

    /// <summary>Ends <see cref="ForCaller"/>.</summary>
    internal readonly ref struct CallerScope(PerThread thread)
    {
        public void Dispose() => thread.WakingForCaller = false;
    }

    /// <summary>
    /// Keeps <paramref name="run"/>, the run of an actor whose vCPU is <paramref name="home"/>, when this thread is
    /// capturing and is <paramref name="home"/>'s thread, or the thread of any vCPU in <paramref name="movesWithin"/>
    /// (a dispatcher whose policy moves actors; null when it keeps them). Returns the vCPU whose thread took it, null
    /// if none did.
    /// </summary>
    internal static Smp.Vcpu? TryCaptureOnVcpu(IRunnable run, Smp.Vcpu home, Smp.Vcpu[]? movesWithin)
    {
        if (t_thread is not { Capturing: true, Vcpu: { } here } thread) return null;
        if (here != home && !(movesWithin is not null && here.Id < movesWithin.Length && movesWithin[here.Id] == here))
            return null;
        thread.Captured.Add(run);
        return here;
    }

    /// <summary>Stops capturing and runs every run captured since <see cref="Begin"/>
    /// (<see cref="PerThread.RunCaptured"/>).</summary>
    internal static void RunCaptured() => t_thread?.RunCaptured();

    /// <summary>One thread's capture state; only that thread touches it.</summary>
    internal sealed class PerThread
    {
        internal readonly List<IRunnable> Captured = [];
        internal bool Capturing;
        internal bool Running;      // inside RunCaptured: a run that begins capturing again would clear the list
        internal ActorPort? Origin;
        internal Smp.Vcpu? Vcpu;    // the vCPU this thread is (BindVcpu), null on every other thread
        internal bool WakingForCaller;      // inside ForCaller

        /// <summary>True when this thread neither captures nor runs captured runs, so it may <see cref="Begin"/>.</summary>
        internal bool IsIdle => !Capturing && !Running;

        /// <summary>
        /// While this thread runs what it captured for an actor's hand-over (<see cref="Begin"/>), that actor's port:
        /// its mailbox run is on this thread's stack and looks for work again once the captured runs return, so
        /// waking it from them is not needed. Null otherwise.
        /// </summary>
        internal ActorPort? HandingOver => Running ? Origin : null;

        /// <summary>
        /// From now on, runs this thread schedules are kept for <see cref="RunCaptured"/>; <paramref name="origin"/>
        /// is the port of the actor whose mailbox run hands over, if any (<see cref="HandingOver"/>).
        /// </summary>
        internal void Begin(ActorPort? origin)
        {
            Capturing = true;
            Origin = origin;
        }

        /// <summary>Stops capturing and runs, on this thread and in order, every run captured since
        /// <see cref="Begin"/>.</summary>
        internal void RunCaptured()
        {
            Capturing = false;
            if (Captured.Count == 0)
            {
                Origin = null;
                return;
            }
            // Index loop: a run never adds to the list (capturing is off), and foreach would not allow a clear on throw.
            Running = true;
            try
            {
                for (var i = 0; i < Captured.Count; i++) Captured[i].Run();
            }
            finally
            {
                Captured.Clear();
                Running = false;
                Origin = null;
            }
        }
    }
}
