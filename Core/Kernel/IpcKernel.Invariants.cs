using System.Diagnostics;

namespace M3Actors.Kernel;

/// <summary>
/// Debug-only checks at the end of every locked section, over the procs that section holds (a snapshot, which holds
/// each slot in turn, checks the whole table). The CI runs the tests in Debug, so a broken invariant fails a test.
/// </summary>
internal sealed partial class IpcKernel
{
    [Conditional("DEBUG")]
    private void AssertInvariants(Proc? a, Proc? b = null)
    {
        AssertProc(a);
        AssertProc(b);
    }

    [Conditional("DEBUG")]
    private void AssertProc(Proc? p)
    {
        if (p is null || !_locks[p.Slot].IsHeldByCurrentThread) return;
        Debug.Assert(!p.Bound || _slots[p.Slot] == p, "a bound proc is the table entry of its own slot");
        Debug.Assert(!(p.IsSending && p.IsReceiving), "a proc is never sending and receiving at once");
        for (var s = p.QueueHead; s is not null; s = s.NextInQueue)
            Debug.Assert(s.IsSending && s.SendTo == p.Ep, "every queued sender is sending to the queue's owner");
        var word = Volatile.Read(ref p.WaitWord);
        Debug.Assert(WaitsFor.IsTentative(word) ? p.Flags == ProcFlags.None : WaitsFor.Edge(word) == EdgeOf(p),
            "the published waits-for word agrees with the flags (Tentative only while not blocked)");
        Debug.Assert(!p.OutcomeHeld || p.Copying, "an outcome is held only while a vcopy pins the proc");
        Debug.Assert(!p.HasOutcome || !p.IsBlockedInCall, "a proc with an outcome is in no call");
    }
}
