using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using M3Actors.Kernel;
using M3Actors.Transport;
using M3Actors.Transport.Processes;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The kill campaign's watchdog, so that a call left blocked explains itself: once a client's call here has been
/// blocked longer than <see cref="Suspect"/>, it captures the client's and the server's slot records (read without
/// their locks, as diagnostics), the server's process-table entry, every entry's claim and /proc; when that call
/// then fails, <see cref="Explain"/> adds every kill of the server's children since the call began with the reap
/// of each (which survivor won it, and when its release and repair ran). Nothing here is asserted.
/// </summary>
internal sealed class KillCampaignWatch
{
    /// <summary>How long a call may be blocked before the watchdog captures the state around it.</summary>
    public static readonly TimeSpan Suspect = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly Vm _vm;
    private readonly KillCampaignChildren _children;
    private readonly (int ClientSlot, int ServerSlot)[] _calls;
    private readonly long[] _startedAt;
    private readonly string?[] _captured;
    private readonly ConcurrentQueue<(int Child, int Pid, long At)> _kills = new();
    private readonly ConcurrentQueue<ReapTimes> _reapsHere = new();
    private int _suspects;

    /// <summary>A watchdog over <paramref name="clients"/> calls, one per child index.</summary>
    public KillCampaignWatch(Vm vm, KillCampaignChildren children, int clients)
    {
        _vm = vm;
        _children = children;
        _calls = new (int, int)[clients];
        _startedAt = new long[clients];
        _captured = new string?[clients];
    }

    /// <summary>Calls the watchdog found blocked past <see cref="Suspect"/>, whatever they returned.</summary>
    public int Suspects => Volatile.Read(ref _suspects);

    /// <summary>Child <paramref name="child"/>'s process <paramref name="pid"/> is SIGKILLed now.</summary>
    public void Killed(int child, int pid) => _kills.Enqueue((child, pid, Stopwatch.GetTimestamp()));

    /// <summary>A reap this test process ran.</summary>
    public void ReapedHere(ReapTimes t) => _reapsHere.Enqueue(t);

    /// <summary>Client <paramref name="client"/> (at <paramref name="clientSlot"/>) begins a call to the server at
    /// <paramref name="serverSlot"/>.</summary>
    public void CallStarted(int client, int clientSlot, int serverSlot, long at)
    {
        _calls[client] = (clientSlot, serverSlot);
        Volatile.Write(ref _captured[client], null);
        Volatile.Write(ref _startedAt[client], at);
    }

    /// <summary>Client <paramref name="client"/>'s call returned.</summary>
    public void CallEnded(int client) => Volatile.Write(ref _startedAt[client], 0);

    /// <summary>Looks at the calls every <see cref="Period"/> until <paramref name="stop"/> holds.</summary>
    public async Task RunAsync(Func<bool> stop)
    {
        while (!stop())
        {
            await Task.Delay(Period);       // a periodic look, not a synchronisation
            for (var client = 0; client < _startedAt.Length; client++)
            {
                var at = Volatile.Read(ref _startedAt[client]);
                if (at == 0 || Volatile.Read(ref _captured[client]) is not null
                    || Stopwatch.GetElapsedTime(at) < Suspect) continue;
                var capture = Capture(client, at);
                if (Interlocked.CompareExchange(ref _captured[client], capture, null) is not null) continue;
                // Kept only if it still belongs to the call it was taken for (a next call clears it as it starts).
                if (Volatile.Read(ref _startedAt[client]) == at) Interlocked.Increment(ref _suspects);
                else Interlocked.CompareExchange(ref _captured[client], null, capture);
            }
        }
    }

    /// <summary>
    /// What the watchdog saw of client <paramref name="client"/>'s call begun at <paramref name="startedAt"/>, and
    /// every kill of child <paramref name="client"/> since then with its reap.
    /// </summary>
    public string Explain(int client, long startedAt)
    {
        var text = new StringBuilder();
        text.AppendLine(Volatile.Read(ref _captured[client])
            ?? $"the watchdog captured nothing (blocked under {Suspect.TotalSeconds:F0} s when last looked at)");
        var childReaps = _children.Reaps();
        foreach (var (child, pid, at) in _kills)
        {
            if (child != client || at < startedAt) continue;
            text.Append(CultureInfo.InvariantCulture, $"killed pid {pid} at +{Ms(startedAt, at):F1} ms: ");
            text.AppendLine(ReapOf(pid, at, childReaps));
        }
        return text.ToString();
    }

    private string ReapOf(int pid, long killedAt, (int Reaper, string Line)[] childReaps)
    {
        foreach (var t in _reapsHere)
        {
            if (t.Dead.Pid == pid)
                return Stages("here", killedAt, t.Dead.DetectedAt, t.Began, t.Released, t.Repaired, t.Unbound);
        }
        foreach (var (reaper, line) in childReaps)
        {
            var w = line.Split(' ').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            if (w[0] == pid) return Stages($"child {reaper}", killedAt, w[1], w[2], w[3], w[4], (int)w[5]);
        }
        return "no reap reported (yet)";
    }

    private static string Stages(string reaper, long killed, long seen, long began, long released, long repaired,
        int unbound) =>
        $"reaped by {reaper}: seen +{Ms(killed, seen):F1}, ReleaseDead +{Ms(killed, began):F1}..+" +
        $"{Ms(killed, released):F1} ({unbound} unbound), RepairAfterDeath ..+{Ms(killed, repaired):F1} ms";

    private unsafe string Capture(int client, long startedAt)
    {
        var (clientSlot, serverSlot) = _calls[client];
        var sharing = (SharedKernel)_vm.Kernel.Sharing!;
        var table = sharing.Arena.Processes;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"watchdog, call blocked {Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds:F0} ms:");
        text.AppendLine(CultureInfo.InvariantCulture, $"  client slot {clientSlot}: {Describe(clientSlot)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  server slot {serverSlot}: {Describe(serverSlot)}");
        var owner = _vm.Kernel.Region.Record(serverSlot)->ProcessIndex;
        if ((uint)owner < (uint)table.Size)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  server's entry {owner}: {table.ClaimOf(owner)}, incarnation {table.IncarnationOf(owner)}");
        }
        text.Append("  process table:");
        for (var i = 0; i < table.Size; i++)
        {
            if (table.ClaimOf(i) is { Value: not 0 } claim)
                text.Append(CultureInfo.InvariantCulture, $" [{i}] {claim};");
        }
        text.AppendLine();
        text.AppendLine(ProcView.Render(_vm.Snapshot()));
        return text.ToString();
    }

    // The record's fields as another process would read them (no lock: a diagnostic, it may be mid-section).
    private unsafe string Describe(int slot)
    {
        var r = _vm.Kernel.Region.Record(slot);
        return string.Create(CultureInfo.InvariantCulture,
            $"state {r->State} ep {r->Endpoint} incarnation {r->Incarnation} entry {r->ProcessIndex} " +
            $"flags {r->Flags} sendto {r->SendTo} getfrom {r->GetFrom} result {r->Result} callseq {r->CallSeq} " +
            $"waits-for 0x{r->WaitWord:x} queue {r->QueueHead}..{r->QueueTail} next {r->NextInQueue} " +
            $"ownerwait 0x{r->OwnerWait:x} lock 0x{r->LockWord:x} copier {r->Copier} outcome {r->HasOutcome}/" +
            $"{r->OutcomeHeld} wake {r->WakeRequests}");
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
