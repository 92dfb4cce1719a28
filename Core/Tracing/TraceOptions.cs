using Akka.Configuration;

namespace M3Actors.Tracing;

/// <summary>
/// A VM's message trace settings (docs/trace.md): whether it records from the VM's start, and how many events its
/// ring keeps. HOCON: <c>m3actors.trace { enabled = on, capacity = 4096 }</c> in the VM's (or the DRVS's)
/// configuration; typed: <see cref="VmOptions.Trace"/>, which wins over HOCON. Either way the trace can be switched
/// on and off at run time with <see cref="VmTrace.Enabled"/>.
/// </summary>
public sealed record TraceOptions
{
    /// <summary>The HOCON section.</summary>
    public const string Section = "m3actors.trace";

    /// <summary>The largest ring: 1 Mi events (about 48 MiB).</summary>
    public const int MaxCapacity = 1 << 20;

    private const string EnabledKey = Section + ".enabled";
    private const string CapacityKey = Section + ".capacity";

    /// <summary>Record from the VM's start. Default (reference.conf): off.</summary>
    public bool Enabled { get; init; } = DefaultEnabled;

    /// <summary>Events the ring keeps until the oldest are overwritten: 1..<see cref="MaxCapacity"/>, default 4096.</summary>
    public int Capacity { get; init; } = DefaultCapacity;

    private static bool DefaultEnabled =>
        HoconRead.Bool(M3ActorsConfig.Reference, EnabledKey, EnabledKey, Broken)
        ?? throw Broken($"{EnabledKey} is null");

    private static int DefaultCapacity =>
        M3ActorsConfig.DefaultInt(CapacityKey) ?? throw Broken($"{CapacityKey} is null");

    /// <summary>
    /// The settings in <paramref name="config"/>'s <c>m3actors.trace</c> section, reference defaults for absent keys.
    /// Throws <see cref="IpcException"/> BadRange naming the key for a value of the wrong type or out of range.
    /// </summary>
    public static TraceOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new TraceOptions
        {
            Enabled = HoconRead.Bool(config, EnabledKey, EnabledKey, BadRange) ?? DefaultEnabled,
            Capacity = HoconRead.Int(config, CapacityKey, CapacityKey, BadRange) ?? DefaultCapacity,
        };
        if (CapacityError(options.Capacity, CapacityKey) is { } why) throw BadRange(why);
        return options;
    }

    /// <summary>The typed settings when given, else those of <paramref name="config"/>; validated either way.</summary>
    internal static TraceOptions Resolve(TraceOptions? typed, Config config)
    {
        typed?.Validate();
        return typed ?? FromConfig(config);
    }

    /// <summary>Throws <see cref="IpcException"/> BadRange for a capacity out of 1..<see cref="MaxCapacity"/>.</summary>
    internal void Validate()
    {
        if (CapacityError(Capacity, "VmOptions.Trace.Capacity") is { } why) throw BadRange(why);
    }

    // One range check for both paths, so HOCON and typed options accept the same values.
    private static string? CapacityError(int capacity, string name) =>
        capacity is < 1 or > MaxCapacity ? $"{name} = {capacity} is outside 1..{MaxCapacity}" : null;

    private static IpcException BadRange(string why) => new(IpcStatus.BadRange, why);

    private static InvalidOperationException Broken(string why) =>
        new($"M3Actors' embedded reference.conf is broken: {why}");
}
