using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace M3Actors;

/// <summary>
/// The reference configuration: every <c>m3actors.*</c> key with its meaning, unit, range and default
/// (<c>Core/Configuration/reference.conf</c>, rendered in docs/configuration.md). The HOCON readers and the typed
/// options take their defaults from it, and <see cref="CheckKeys"/> refuses a key under <c>m3actors</c> it lacks.
/// </summary>
public static class M3ActorsConfig
{
    /// <summary>The root of every M3Actors key.</summary>
    public const string Root = "m3actors";

    private const string ResourceName = "M3Actors.reference.conf";

    /// <summary>The reference configuration's text, comments included.</summary>
    public static string ReferenceText { get; } = Load();

    /// <summary>The reference configuration; a <c>null</c> there: the default is computed (see its comment).</summary>
    public static Config Reference { get; } = ConfigurationFactory.ParseString(ReferenceText);

    /// <summary>The reference's <c>m3actors.rendezvous-mailbox</c> alone: every VM's ActorSystem falls back to it.</summary>
    internal static Config RendezvousMailbox { get; } = ConfigurationFactory.ParseString(
        $"{MailboxType} = \"{Reference.GetString(MailboxType)}\"");

    private const string MailboxType = $"{Actors.RendezvousMailbox.Id}.mailbox-type";

    /// <summary>
    /// Throws <see cref="IpcException"/> BadRange when <paramref name="config"/> has a key under <c>m3actors</c> that
    /// the reference does not (usually a typo), naming it and the nearest valid key, or when a section the reference
    /// has is not an object. Keys outside <c>m3actors</c> are not checked. The DRVS and every VM call this at start.
    /// </summary>
    public static void CheckKeys(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.IsEmpty || !config.HasPath(Root)) return;
        Check(config.GetValue(Root), Reference.GetValue(Root), Root);
    }

    /// <summary>
    /// An unknown key's error: the key, the nearest of <paramref name="valid"/> (by edit distance) when one is close,
    /// and every valid key at that level.
    /// </summary>
    internal static string UnknownKey(string section, string key, IEnumerable<string> valid)
    {
        var keys = valid.ToArray();
        var nearest = KeySuggestion.Nearest(key, keys);
        var hint = nearest is null ? "." : $"; did you mean {section}.{nearest}?";
        return $"{section}.{key} is not a known key{hint} The keys of {section} are {string.Join(", ", keys)} " +
               "(docs/configuration.md)";
    }

    /// <summary>The reference's integer at <paramref name="path"/>, or null where the reference says null.</summary>
    internal static int? DefaultInt(string path) => HoconRead.Int(Reference, path, path, BrokenReference);

    /// <summary>The reference's string at <paramref name="path"/>, or null where the reference says null.</summary>
    internal static string? DefaultString(string path) => HoconRead.String(Reference, path, path, BrokenReference);

    /// <summary>The reference's value at <paramref name="path"/>, as a duration.</summary>
    internal static TimeSpan? DefaultDuration(string path) =>
        HoconRead.Duration(Reference, path, path, BrokenReference);

    private static void Check(HoconValue value, HoconValue reference, string path)
    {
        if (!value.IsObject())
            throw new IpcException(IpcStatus.BadRange, $"{path} must be an object {{ ... }}, found '{value}'");
        var known = reference.GetObject().Items;
        if (known.Count == 0) return;       // an empty object in the reference is a map whose keys are the user's
        foreach (var (key, child) in value.GetObject().Items)
        {
            if (!known.TryGetValue(key, out var expected))
                throw new IpcException(IpcStatus.BadRange, UnknownKey(path, key, known.Keys));
            if (expected.IsObject()) Check(child, expected, $"{path}.{key}");
        }
    }

    private static Exception BrokenReference(string why) =>
        new InvalidOperationException($"M3Actors' embedded reference.conf is broken: {why}");

    private static string Load()
    {
        using var stream = typeof(M3ActorsConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the resource {ResourceName} is missing from M3Actors.Core");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
