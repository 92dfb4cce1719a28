using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Wire;

/// <summary>
/// The schedule of a wire run: <see cref="PipelinedRoundTripsPerClient"/> round trips of each of the pipelined
/// set-up's 400 clients, <see cref="OneInFlightRoundTrips"/> of a single client, each after a quiet window of
/// <see cref="QuietWindow"/> that measures the cluster's background rate.
/// </summary>
public sealed record WireOptions(int PipelinedRoundTripsPerClient, int OneInFlightRoundTrips, TimeSpan QuietWindow)
{
    /// <summary>Smoke: proves the measurement runs (a few thousand messages); quick: 100,000 pipelined round trips;
    /// full: 400,000 (~1 s on a quiet machine). The background is a few KB/s against the runs' MB, so the window
    /// stays at a second.</summary>
    public static WireOptions For(RunMode mode) => mode switch
    {
        RunMode.Smoke => new WireOptions(5, 200, TimeSpan.FromSeconds(1)),
        RunMode.Quick => new WireOptions(250, 1_000, TimeSpan.FromSeconds(1)),
        RunMode.Full => new WireOptions(1_000, 4_000, TimeSpan.FromSeconds(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>"1000 round trips per pipelined client, 4000 with 1 in flight, 1.0 s quiet windows".</summary>
    public override string ToString() =>
        $"{PipelinedRoundTripsPerClient} round trips per pipelined client, {OneInFlightRoundTrips} with 1 in flight, " +
        $"{QuietWindow.TotalSeconds:0.0} s quiet windows";
}
