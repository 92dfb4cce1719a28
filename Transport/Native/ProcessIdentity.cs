using System.Globalization;

namespace M3Actors.Transport.Native;

/// <summary>
/// A process as the process table records it: its pid and its start time (clock ticks after boot, field 22 of
/// /proc/&lt;pid&gt;/stat). The pair survives pid reuse: a new process with the same pid has another start time.
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, long StartTime)
{
    private const int StateField = 0;
    private const int StartTimeField = 19;

    /// <summary>This process.</summary>
    public static ProcessIdentity Self { get; } = Read(Environment.ProcessId) ??
        throw new InvalidOperationException("/proc/self/stat is unreadable: is /proc mounted?");

    /// <summary>The identity of <paramref name="pid"/> now, or null when no live process has that pid.</summary>
    public static ProcessIdentity? Read(int pid)
    {
        if (!TryReadStat(pid, out var fields)) return null;
        var state = fields[StateField];
        // A zombie (Z) or dead (X) process has exited even though its /proc entry stays until it is reaped.
        if (state is "Z" or "X") return null;
        return new ProcessIdentity(pid, long.Parse(fields[StartTimeField], CultureInfo.InvariantCulture));
    }

    /// <summary>True while this exact process (pid and start time) runs.</summary>
    public bool IsAlive => Read(Pid) is { } now && now.StartTime == StartTime;

    private static bool TryReadStat(int pid, out string[] fields)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            // The process is gone (or went while we read): that is the answer, not a failure.
            fields = [];
            return false;
        }
        // The command name (field 2) is in parentheses and may itself hold spaces or ')': split after the last ')'.
        var rest = text[(text.LastIndexOf(')') + 2)..];
        fields = rest.Split(' ');
        return true;
    }
}
