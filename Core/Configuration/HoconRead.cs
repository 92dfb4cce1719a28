using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace M3Actors;

/// <summary>
/// Strict typed reads of one HOCON key: Akka's getters accept a list where a string is expected (reading "") and
/// throw a <see cref="FormatException"/> naming no key. Each method returns null when the key is absent or
/// <c>null</c>, and otherwise the value or the caller's exception for a message naming <c>name</c> (the full key).
/// </summary>
internal static class HoconRead
{
    public static int? Int(Config config, string path, string name, Func<string, Exception> error)
    {
        if (Literal(config, path, name, "an integer", error) is not { } text) return null;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw error($"{name} = '{text}' is not an integer in {int.MinValue}..{int.MaxValue}");
    }

    public static string? String(Config config, string path, string name, Func<string, Exception> error) =>
        Literal(config, path, name, "a string", error);

    // HOCON's booleans: true/false, on/off, yes/no.
    public static bool? Bool(Config config, string path, string name, Func<string, Exception> error)
    {
        if (Literal(config, path, name, "a boolean (on or off)", error) is not { } text) return null;
        return text.ToLowerInvariant() switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw error($"{name} = '{text}' is not a boolean: use on or off (true/false, yes/no)"),
        };
    }

    public static TimeSpan? Duration(Config config, string path, string name, Func<string, Exception> error)
    {
        if (Literal(config, path, name, "a duration", error) is not { } text) return null;
        try
        {
            return config.GetTimeSpan(path, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException)
        {
            throw error($"{name} = '{text}' is not a duration such as 500ms, 2s or 1m");
        }
    }

    public static IReadOnlyList<int>? IntList(Config config, string path, string name, Func<string, Exception> error) =>
        List(config, path, name, "a list of integers", error)?.Select(text =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw error($"{name} contains '{text}', which is not an integer")).ToArray();

    public static IReadOnlyList<string>? StringList(Config config, string path, string name,
        Func<string, Exception> error) =>
        List(config, path, name, "a list of strings", error);

    private static string? Literal(Config config, string path, string name, string kind, Func<string, Exception> error)
    {
        var value = Value(config, path);
        if (value is null) return null;
        if (!value.IsString()) throw error($"{name} must be {kind}, found '{value}'");
        return value.GetString();
    }

    private static IReadOnlyList<string>? List(Config config, string path, string name, string kind,
        Func<string, Exception> error)
    {
        var value = Value(config, path);
        if (value is null) return null;
        if (Items(value) is not { } items) throw error($"{name} must be {kind} [ ... ], found '{value}'");
        return items.Select(item => item.IsString() && item.GetString() is { } text
            ? text
            : throw error($"{name} must be {kind}, found the element '{item}'")).ToArray();
    }

    // Akka's parser gives `[]` before a closing brace as an array plus a blank literal, `[ ]` as an array holding an
    // empty value, and reports neither IsArray: a list is any mix of arrays and blank literals, empty values dropped.
    private static List<HoconValue>? Items(HoconValue value)
    {
        if (value.Values.Count == 0 || !value.Values.Any(v => v is HoconArray)) return null;
        var items = new List<HoconValue>();
        foreach (var element in value.Values)
        {
            if (element is HoconArray array) items.AddRange(array.Where(item => item.Values.Count > 0));
            else if (element is not HoconLiteral { Value: var text } || !string.IsNullOrWhiteSpace(text)) return null;
        }
        return items;
    }

    // Null for an absent key and for HOCON null (whose literal reads as a null string), so both mean "the default".
    private static HoconValue? Value(Config config, string path)
    {
        if (!config.HasPath(path)) return null;
        var value = config.GetValue(path);
        return value is null || value.IsString() && value.GetString() is null ? null : value;
    }
}
