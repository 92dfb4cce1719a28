using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.Harness;

/// <summary>Finds the benchmark classes of this assembly, so a new class joins <c>specs</c> runs by existing.</summary>
public static class BenchmarkCatalog
{
    /// <summary>Every concrete public class with a <c>[Benchmark]</c> method (declared or inherited), by name.</summary>
    public static Type[] All() =>
        typeof(BenchmarkCatalog).Assembly.GetExportedTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false }
                && type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                    .Any(method => method.GetCustomAttribute<BenchmarkAttribute>() is not null))
            .OrderBy(type => type.FullName, StringComparer.Ordinal)
            .ToArray();
}
