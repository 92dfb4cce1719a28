using System.Diagnostics;
using M3Actors.Transport.Native;

namespace M3Actors.Transport.Processes;

/// <summary>
/// One thread per attachment that watches every other entry of the process table and reaps the dead. Each watched
/// process has a pidfd (pidfd_open), which poll reports readable the moment the process exits, so a death is seen
/// at once; where the kernel lacks pidfd_open it falls back to checking pid + start time every poll period. The
/// table is rescanned every period for joins, leaves and stuck reaps. The thread runs at a raised priority where the
/// process may raise it (<see cref="RaisedNice"/>): it sleeps but for a death, and then the dead process's partners
/// wait for it, on a box whose cores the survivors' own traffic keeps busy.
/// </summary>
internal sealed unsafe class DeathWatcher : IDisposable
{
    private const int PeriodMs = 10;

    /// <summary>
    /// The watcher thread's nice value where the process may lower it (root, CAP_SYS_NICE or RLIMIT_NICE): on two
    /// busy cores a reaping survivor at the default priority took 5-20 ms from the death seen to the partners
    /// released, its own traffic threads ahead of it. Elsewhere the thread keeps the process's priority.
    /// </summary>
    public const int RaisedNice = -10;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly ProcessTable _table;
    private readonly ProcessReaper _reaper;
    private readonly int _self;
    private readonly Dictionary<int, Watched> _watched = [];
    private readonly Thread _thread;
    private volatile bool _stopping;
    private bool _pidfdMissing;
    private volatile bool _raised;
    private volatile int _tid;

    /// <summary>
    /// Starts watching for attachment <paramref name="selfIndex"/>; <paramref name="usePidfd"/> false forces the
    /// /proc polling that kernels without pidfd_open (before 5.3) get.
    /// </summary>
    public DeathWatcher(ProcessTable table, ProcessReaper reaper, int selfIndex, bool usePidfd)
    {
        _pidfdMissing = !usePidfd;
        _table = table;
        _reaper = reaper;
        _self = selfIndex;
        _thread = new Thread(Run) { IsBackground = true, Name = $"m3-transport-watch-{selfIndex}" };
        _thread.Start();
    }

    /// <summary>Stops the thread (bounded) and closes the pidfds.</summary>
    public void Dispose()
    {
        if (Thread.CurrentThread == _thread)
        {
            // The reap in progress would go on writing to the table after the unmap.
            throw new InvalidOperationException("An arena cannot be disposed from its own death callback.");
        }
        _stopping = true;
        if (!_thread.Join(StopTimeout))
        {
            throw new TimeoutException($"The death watcher of entry {_self} did not stop within {StopTimeout}.");
        }
        foreach (var w in _watched.Values) Close(w);
        _watched.Clear();
    }

    private void Run()
    {
        RaisePriority();
        var fds = new LinuxSys.PollFd[_table.Size];
        var indices = new int[_table.Size];
        while (!_stopping)
        {
            Rescan();
            var count = 0;
            foreach (var (index, w) in _watched)
            {
                if (w.Pidfd < 0) continue;
                fds[count] = new LinuxSys.PollFd { Fd = w.Pidfd, Events = LinuxSys.PollIn };
                indices[count++] = index;
            }
            fixed (LinuxSys.PollFd* p = fds)
            {
                if (LinuxSys.Poll(p, (ulong)count, PeriodMs) < 0 && LinuxSys.Errno != LinuxSys.EINTR)
                {
                    throw new IOException($"poll on pidfds failed with errno {LinuxSys.Errno}.");
                }
            }
            var polled = Stopwatch.GetTimestamp();
            for (var k = 0; k < count; k++)
            {
                if ((fds[k].Revents & LinuxSys.PollIn) != 0) Reap(indices[k], polled);
            }
        }
    }

    /// <summary>True when the thread runs at <see cref="RaisedNice"/> (the process was allowed to raise it).</summary>
    public bool Raised => _raised;

    /// <summary>The watcher thread's kernel thread id (0 until it runs).</summary>
    public int ThreadId => _tid;

    // EACCES / EPERM: an unprivileged process may not raise a thread's priority; the watcher works the same, only
    // later on a loaded box (Raised stays false).
    private void RaisePriority()
    {
        var tid = (int)LinuxSys.GetTid(LinuxSys.GetTidNumber);
        _raised = LinuxSys.SetPriority(LinuxSys.PrioProcess, (uint)tid, RaisedNice) == 0;
        _tid = tid;
    }

    /// <summary>Follows the table: watch new entries, forget freed ones, reap the dead a pidfd cannot show.</summary>
    private void Rescan()
    {
        for (var i = 0; i < _table.Size; i++)
        {
            if (i == _self) continue;
            var claim = _table.ClaimOf(i);
            _watched.TryGetValue(i, out var w);
            if (w is not null && w.Claim != claim)
            {
                Close(w);
                _watched.Remove(i);
                w = null;
            }
            if (claim.State == ProcessState.Free) continue;
            var opened = w is null;
            if (w is null)
            {
                w = new Watched(claim, OpenPidfd(claim));
                _watched[i] = w;
            }
            // Check /proc once after opening (the pid may have been reused before the pidfd was taken), and every
            // period where there is no pidfd (no kernel support, a reap in progress, a pid already gone).
            if ((opened || w.Pidfd < 0) && _reaper.IsDead(i, claim)) Reap(i, Stopwatch.GetTimestamp());
        }
    }

    private int OpenPidfd(ProcessClaim claim)
    {
        if (_pidfdMissing || !claim.IsAttached) return -1;
        var fd = (int)LinuxSys.PidfdOpen(LinuxSys.PidfdOpenNumber, claim.Pid, 0);
        if (fd >= 0) return fd;
        if (LinuxSys.Errno == LinuxSys.ENOSYS) _pidfdMissing = true;
        return -1;
    }

    private void Reap(int index, long detectedAt)
    {
        var w = _watched[index];
        if (!_reaper.CanReap)
        {
            // A winner that cannot reap yet would hold the reap, and the dead process's partners, until it can: a
            // survivor that can takes it. The entry is checked again every period and reaped here if still dead
            // once this survivor can.
            Close(w);
            _watched[index] = w with { Pidfd = -1 };
            return;
        }
        // The pidfd names the pid; an entry whose start time differs was a reused pid, dead all the same.
        if (_reaper.IsDead(index, w.Claim)) _reaper.TryReap(index, w.Claim, detectedAt);
        Close(w);
        _watched.Remove(index);
    }

    private static void Close(Watched w)
    {
        if (w.Pidfd >= 0) LinuxSys.Close(w.Pidfd);
    }

    private sealed record Watched(ProcessClaim Claim, int Pidfd);
}
