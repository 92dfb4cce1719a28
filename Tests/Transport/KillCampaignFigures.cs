using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using M3Actors.Transport.Processes;

namespace M3Actors.Tests.Transport;

/// <summary>
/// The kill campaign's release-time figures, stage by stage: the kill (test), the death seen by the survivor that
/// won the reap, its reap begun, the dead process's endpoints unbound (the callers' outcomes written and woken), the
/// caller back from its call; and the repair of every record, which comes after the release. Every survivor that reaps reports its
/// stages with Stopwatch timestamps (CLOCK_MONOTONIC: one clock for every process of the machine); this class only
/// collects and summarises them, nothing here is asserted.
/// </summary>
internal sealed class KillCampaignFigures
{
    private readonly ConcurrentDictionary<int, long> _killedAt = new();
    private readonly ConcurrentQueue<(int Pid, long At)> _returned = new();
    private readonly ConcurrentQueue<(string Reaper, long[] Stages)> _reaps = new();

    /// <summary>Pid <paramref name="pid"/> is SIGKILLed now.</summary>
    public void Killed(int pid) => _killedAt[pid] = Stopwatch.GetTimestamp();

    /// <summary>A caller released by the death of <paramref name="pid"/> is back from its call now.</summary>
    public void Returned(int pid) => _returned.Enqueue((pid, Stopwatch.GetTimestamp()));

    /// <summary>A reap this test process ran.</summary>
    public void ReapedHere(ReapTimes t) =>
        _reaps.Enqueue(("here", [t.Dead.Pid, t.Dead.DetectedAt, t.Began, t.Released, t.Repaired]));

    /// <summary>A reap a child ran, from its <see cref="HostProcess.Reaps"/> line.</summary>
    public void ReapedInChild(string line)
    {
        var w = line.Split(' ');
        _reaps.Enqueue(("child", [.. w.Take(5).Select(x => long.Parse(x, CultureInfo.InvariantCulture))]));
    }

    /// <summary>
    /// One line per stage: p50, p99 and max in ms over the kills, and how many reaps each kind of survivor won.
    /// </summary>
    public IEnumerable<string> Summary()
    {
        var stages = new (string Name, List<double> Ms)[]
        {
            ("kill -> death seen", []), ("seen -> reap begun", []), ("begun -> unbound", []),
            ("unbound -> caller back", []), ("kill -> caller back", []), ("unbound -> repaired", []),
        };
        var reapers = new Dictionary<string, int>();
        var reaps = _reaps.GroupBy(r => r.Stages[0]).ToDictionary(g => g.Key, g => g.First());
        foreach (var (pid, killed) in _killedAt)
        {
            if (!reaps.TryGetValue(pid, out var reap)) continue;
            reapers[reap.Reaper] = reapers.GetValueOrDefault(reap.Reaper) + 1;
            var s = reap.Stages;
            stages[0].Ms.Add(Ms(killed, s[1]));
            stages[1].Ms.Add(Ms(s[1], s[2]));
            stages[2].Ms.Add(Ms(s[2], s[3]));
            stages[5].Ms.Add(Ms(s[3], s[4]));
            foreach (var (_, back) in _returned.Where(r => r.Pid == pid))
            {
                stages[3].Ms.Add(Ms(s[3], back));
                stages[4].Ms.Add(Ms(killed, back));
            }
        }
        yield return "reaps won: " + string.Join(", ", reapers.Select(r => $"{r.Key} {r.Value}"));
        foreach (var kind in reapers.Keys)
        {
            var release = reaps.Values.Where(r => r.Reaper == kind && _killedAt.ContainsKey((int)r.Stages[0]))
                .Select(r => Ms(r.Stages[2], r.Stages[3])).Order().ToArray();
            yield return $"begun -> unbound in {kind}: p50 {Percentile(release, 0.5):F2}  " +
                $"p99 {Percentile(release, 0.99):F2}  max {Percentile(release, 1):F2} ms";
        }
        // The slowest releases, stage by stage, to see where their time went.
        var slowest = _returned.Where(r => reaps.ContainsKey(r.Pid) && _killedAt.ContainsKey(r.Pid))
            .OrderByDescending(r => Ms(_killedAt[r.Pid], r.At)).Take(5);
        foreach (var (pid, back) in slowest)
        {
            var (reaper, s) = reaps[pid];
            yield return $"slow: pid {pid} reaped {reaper}: seen {Ms(_killedAt[pid], s[1]):F1}, begun " +
                $"{Ms(s[1], s[2]):F1}, unbound {Ms(s[2], s[3]):F1}, caller back {Ms(s[3], back):F1} ms";
        }
        foreach (var (name, ms) in stages)
        {
            var sorted = ms.Order().ToArray();
            yield return $"{name,-24} n {sorted.Length,4}  p50 {Percentile(sorted, 0.5),8:F2}  " +
                $"p99 {Percentile(sorted, 0.99),8:F2}  max {Percentile(sorted, 1),8:F2} ms";
        }
    }

    /// <summary>The value at quantile <paramref name="q"/> of <paramref name="sorted"/> (NaN when empty).</summary>
    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
