using System.Diagnostics;
using M3Actors.Transport.Native;

namespace M3Actors.Transport.Processes;

/// <summary>
/// Reaps dead entries of the process table for one survivor: wins the entry by compare-and-swap, runs the death
/// callback, frees the entry. A reaper that dies mid-reap leaves the entry "reaping" under its own dead pid, and
/// the next survivor takes the reap over and runs the callback again, so callbacks must be idempotent. A callback
/// that returns false keeps the entry marked as reaped by this process, and finishes or abandons the reap later.
/// <paramref name="canReap"/> false: this survivor cannot reap now (a shared VM's attachment before its kernel
/// exists), so it leaves the deaths it sees to the survivors that can, and reaps them itself later only if they are
/// still there.
/// </summary>
internal sealed class ProcessReaper(ProcessTable table, Func<DeadProcess, bool> onDeath, Func<bool>? canReap = null)
{
    private readonly int _self = ProcessIdentity.Self.Pid;

    /// <summary>True when this survivor can run a death's reap now (see the class remarks).</summary>
    public bool CanReap => canReap?.Invoke() ?? true;

    /// <summary>True when the entry's process (or, for an entry being reaped, its reaper) is dead.</summary>
    public bool IsDead(int index, ProcessClaim claim) => claim.State switch
    {
        ProcessState.Joining or ProcessState.Alive => !table.IsProcessAlive(index, claim),
        ProcessState.Reaping => ProcessIdentity.Read(claim.ReaperPid) is null,
        _ => false,
    };

    /// <summary>
    /// Reaps entry <paramref name="index"/> if its claim is still <paramref name="observed"/> and nobody won it first;
    /// <paramref name="detectedAt"/> is when the death was seen (a <see cref="Stopwatch"/> timestamp, 0: now).
    /// </summary>
    public bool TryReap(int index, ProcessClaim observed, long detectedAt = 0)
    {
        if (!table.TryBeginReap(index, observed, _self)) return false;
        // An exception from the callback is not caught: this process then dies with the entry still marked as
        // reaped by it, and another survivor redoes the reap (the same path as a reaper killed mid-reap).
        // False: the callback finishes the reap later itself (a kernel not made yet); the entry stays ours.
        if (onDeath(new DeadProcess(index, observed.Pid, table.IncarnationOf(index),
                detectedAt != 0 ? detectedAt : Stopwatch.GetTimestamp())))
            table.FinishReap(index, observed.Pid, _self);
        return true;
    }

    /// <summary>How many entries (but <paramref name="exceptIndex"/>) belong to live processes now.</summary>
    public int CountLive(int exceptIndex)
    {
        var live = 0;
        for (var i = 0; i < table.Size; i++)
        {
            var claim = table.ClaimOf(i);
            if (i != exceptIndex && claim.State != ProcessState.Free && !IsDead(i, claim)) live++;
        }
        return live;
    }

    /// <summary>Reaps every dead entry; returns how many this call reaped and how many live processes it saw.</summary>
    public (int Reaped, int Live) ReapAllDead(int exceptIndex)
    {
        var (reaped, live) = (0, 0);
        for (var i = 0; i < table.Size; i++)
        {
            if (i == exceptIndex) continue;
            var claim = table.ClaimOf(i);
            if (claim.State == ProcessState.Free) continue;
            if (!IsDead(i, claim)) live++;
            else if (TryReap(i, claim)) reaped++;
        }
        return (reaped, live);
    }
}
