using BenchmarkDotNet.Running;

namespace M3Actors.Perf.Harness;

/// <summary>
/// Points at one benchmark case: a benchmark class, optionally one of its methods, and parameter values written as
/// <c>"Pairs=4"</c>. Specs name cases this way so a spec line stays readable and survives reordering.
/// </summary>
public sealed record CaseRef(Type Type, string? Method, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    /// <summary>The case of <typeparamref name="TBenchmark"/> with these parameters (<c>"Name=value"</c>); give
    /// <paramref name="method"/> when the class has more than one benchmark method.</summary>
    public static CaseRef Of<TBenchmark>(string parameters, string? method = null) =>
        new(typeof(TBenchmark), method, Parse(parameters));

    /// <summary>True when <paramref name="benchmarkCase"/> is the case this reference names.</summary>
    public bool Matches(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.Type == Type
        && (Method is null || benchmarkCase.Descriptor.WorkloadMethod.Name == Method)
        && Parameters.All(wanted => benchmarkCase.Parameters.Items.Any(actual =>
            actual.Name == wanted.Key && string.Equals(Convert.ToString(actual.Value,
                System.Globalization.CultureInfo.InvariantCulture), wanted.Value, StringComparison.Ordinal)));

    /// <summary>The measurement this reference names, or null when the run did not measure it; naming several
    /// cases is a mistake in the spec list, not a measurement outcome.</summary>
    public Measurement? Find(IReadOnlyList<Measurement> measurements)
    {
        var found = measurements.Where(m => Matches(m.Case)).ToList();
        return found.Count <= 1
            ? found.SingleOrDefault()
            : throw new InvalidOperationException($"{this} matches {found.Count} cases: name the method too.");
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Type.Name}{(Method is null ? "" : "." + Method)} [{string.Join(", ", Parameters.Select(p => $"{p.Key}={p.Value}"))}]";

    private static List<KeyValuePair<string, string>> Parse(string parameters) =>
        parameters.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2, StringSplitOptions.TrimEntries) is [var key, var value]
                ? KeyValuePair.Create(key, value)
                : throw new ArgumentException($"Parameter '{pair}' is not Name=value.", nameof(parameters)))
            .ToList();
}
