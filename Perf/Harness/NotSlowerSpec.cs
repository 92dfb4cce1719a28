using System.Globalization;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;

namespace M3Actors.Perf.Harness;

/// <summary>
/// A parity bar: the measured case must not be slower than its peer by more than <paramref name="Margin"/> (a
/// fraction). A ratio bar of exactly 1.0 cannot say that when the two run the same code path — it passes or fails on
/// the run's noise — so the verdict is a one-sided Mann-Whitney U test (Perfolizer, which BenchmarkDotNet ships) on the
/// two cases' per-iteration times: it fails when the measured case's iterations are slower than the peer's by more
/// than the margin with p below <see cref="Alpha"/>. The margin is the spread of a case measured against itself from
/// run to run: the iterations of one run spread far less than that, so without it a 2 % offset of one run fails
/// (p = 0.0006 at 0.98 × in one quick run). The ratio of medians is shown beside the verdict.
/// </summary>
public sealed record NotSlowerSpec(string Name, CaseRef Measured, CaseRef Peer, double Margin) : Spec(Name)
{
    /// <summary>The significance level of the one-sided test.</summary>
    public const double Alpha = 0.05;

    // Fewer iterations than this cannot reach Alpha at all (U test: 3 + 3 gives p >= 0.05).
    private const int MinIterations = 4;

    /// <inheritdoc />
    public override IEnumerable<string> Unmeasured(RunResults results) => UnmeasuredOf(results, Measured, Peer);

    /// <inheritdoc />
    public override SpecOutcome Evaluate(RunResults results)
    {
        var bar = string.Create(CultureInfo.InvariantCulture,
            $"not slower than peer by more than {Margin:0%} (Mann-Whitney, p >= {Alpha})");
        if (Measured.Find(results.Measurements) is not { Rate: { } rate, NanosecondsPerOperation: { } times })
        {
            return Missing(Measured.ToString(), bar);
        }
        if (Peer.Find(results.Measurements) is not { Rate: { } peerRate, NanosecondsPerOperation: { } peerTimes })
        {
            return Missing(Peer.ToString(), bar);
        }
        var ratio = string.Create(CultureInfo.InvariantCulture, $"{rate / peerRate:0.00} x peer");
        if (times.Count < MinIterations || peerTimes.Count < MinIterations)
        {
            var few = $"{ratio}, too few iterations to judge ({times.Count} and {peerTimes.Count})";
            return new SpecOutcome(Name, few, bar, Passed: false);
        }
        // H1: the measured case's times are greater than the peer's by more than the margin (it is slower).
        var (x, y) = (new Sample(times.ToArray()), new Sample(peerTimes.ToArray()));
        var margin = Threshold.Parse(string.Create(CultureInfo.InvariantCulture, $"{Margin * 100:0.##}%"));
        var test = MannWhitneyTest.Instance.Perform(x, y, AlternativeHypothesis.Greater, margin);
        var p = test.PValue.Value;
        var slower = p < Alpha;
        var verdict = string.Create(CultureInfo.InvariantCulture,
            $"{ratio}, {(slower ? "slower" : "not slower")} (p = {p:0.####})");
        return new SpecOutcome(Name, verdict, bar, !slower);
    }
}
