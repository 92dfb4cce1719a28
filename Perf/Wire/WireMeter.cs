using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace M3Actors.Perf.Wire;

/// <summary>
/// The TCP payload bytes sent between two node processes on loopback, as the kernel counts them: the sum of
/// <c>bytes_sent</c> (<c>ss -tinH</c>) over every socket with either end on one of the nodes' ports. Both ends of a
/// connection are listed, so the sum is what went both ways; headers of TCP and IP are not in it.
/// </summary>
internal static partial class WireMeter
{
    private static readonly TimeSpan SsTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The bytes sent so far on the sockets between the nodes listening on <paramref name="ports"/>.</summary>
    public static long BytesSent(IReadOnlyCollection<int> ports)
    {
        var names = ports.Select(p => p.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        using var ss = Process.Start(new ProcessStartInfo("ss", "-tinH") { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("could not start ss (iproute2) to read the socket counters");
        var text = ss.StandardOutput.ReadToEndAsync();
        if (!ss.WaitForExit(SsTimeout) || !text.Wait(SsTimeout))
        {
            ss.Kill();
            throw new TimeoutException($"ss -tinH did not finish within {SsTimeout}");
        }
        if (ss.ExitCode != 0) throw new InvalidOperationException($"ss -tinH failed with exit code {ss.ExitCode}");
        long total = 0;
        var sockets = 0;
        foreach (Match socket in Socket().Matches(text.Result))
        {
            if (!names.Contains(socket.Groups["local"].Value) && !names.Contains(socket.Groups["peer"].Value)) continue;
            total += long.Parse(socket.Groups["sent"].Value, CultureInfo.InvariantCulture);
            sockets++;
        }
        // No socket between the nodes means the reading is wrong (ss without bytes_sent, another address form), not
        // that nothing was sent: the nodes are joined, so their cluster connection exists.
        if (sockets == 0)
            throw new InvalidOperationException(
                $"ss -tinH lists no loopback socket with bytes_sent on ports {string.Join(", ", names)}");
        return total;
    }

    // Either address form: 127.0.0.1:port or [::ffff:127.0.0.1]:port (a dual-stack socket); the counters are on the
    // socket's second line.
    [GeneratedRegex(
        @"127\.0\.0\.1\]?:(?<local>\d+)\s+\S*127\.0\.0\.1\]?:(?<peer>\d+)[^\n]*\n[^\n]*?bytes_sent:(?<sent>\d+)")]
    private static partial Regex Socket();
}
