using System.Runtime.InteropServices;

namespace M3Actors.Perf.Report;

/// <summary>The machine a report was measured on: numbers only compare within one machine and one run.</summary>
public static class MachineInfo
{
    /// <summary>e.g. "2 cores, Ubuntu 24.04.1 LTS (X64), .NET 10.0.1".</summary>
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), " +
        $"{RuntimeInformation.FrameworkDescription}{CpuModel()}";

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
        {
            return "";
        }
        var model = File.ReadLines(cpuInfo).FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal));
        return model is null ? "" : ", " + model[(model.IndexOf(':') + 1)..].Trim();
    }
}
