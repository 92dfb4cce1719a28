using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.Harness;

/// <summary>Finds the benchmark classes of this assembly, so a new class joins <c>specs</c> runs by existing.</summary>
public static class BenchmarkCatalog
{
    /// <summary>Every concrete public class with a <c>[Benchmark]</c> method (declared or inherited), by name.
    /// Throws before anything runs if a benchmark lacks <see cref="ReportAsAttribute"/>, rather than after minutes
    /// of measuring when the report cannot name it.</summary>
    public static Type[] All()
    {
        var types = typeof(BenchmarkCatalog).Assembly.GetExportedTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && BenchmarkMethods(type).Any())
            .OrderBy(type => type.FullName, StringComparer.Ordinal)
            .ToArray();
        var unnamed = types.SelectMany(type => BenchmarkMethods(type)
                .Where(method => method.GetCustomAttribute<ReportAsAttribute>() is null
                    && type.GetCustomAttribute<ReportAsAttribute>() is null)
                .Select(method => $"{type.Name}.{method.Name}"))
            .ToList();
        return unnamed.Count == 0
            ? types
            : throw new InvalidOperationException($"Add [ReportAs(mechanism, test)] to: {string.Join(", ", unnamed)}.");
    }

    private static IEnumerable<MethodInfo> BenchmarkMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(method => method.GetCustomAttribute<BenchmarkAttribute>() is not null);
}
