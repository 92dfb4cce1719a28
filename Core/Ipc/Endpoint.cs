namespace M3Actors;

/// <summary>
/// A Minix 3.2 endpoint value: <c>(generation &lt;&lt; 15) + slot</c>, unique inside one VM. System slots always use
/// generation 0 (well-known servers keep their endpoint across restarts); a user slot's generation changes at every
/// bind, so a stale value of a reused slot never reaches the new owner.
/// </summary>
public readonly record struct Endpoint(int Value)
{
    /// <summary>Bits of the slot part; the generation sits above them.</summary>
    public const int GenerationShift = 15;
    /// <summary>The largest generation; it wraps to 1 (0 is reserved for system slots).</summary>
    public const int MaxGeneration = 0xFFFF;

    /// <summary>Receive from any source. Valid only as a receive source.</summary>
    public static readonly Endpoint Any = new(0x7ace);
    /// <summary>No endpoint. Never valid as a partner.</summary>
    public static readonly Endpoint None = new(0x6ace);
    /// <summary>The caller itself (resolved to the caller's endpoint). Generation 0 and a slot above every VM's range, so no
    /// bound endpoint can equal it (Minix's 0x8ace is generation 1, slot 2766: a real endpoint in a VM of 2767+ slots).</summary>
    public static readonly Endpoint Self = new(0x5ace);

    /// <summary>The slot part.</summary>
    public int Slot => Value & ((1 << GenerationShift) - 1);
    /// <summary>The generation part.</summary>
    public int Generation => Value >> GenerationShift;
    /// <summary>True for ANY, NONE and SELF.</summary>
    public bool IsSpecial => Value == Any.Value || Value == None.Value || Value == Self.Value;

    /// <summary>The most slots a VM can have (the upper bound of <c>m3actors.drvs.max-endpoints-per-vm</c>); it keeps
    /// every slot below the slot parts of ANY, NONE and SELF.</summary>
    public const int MaxSlotsPerVm = 16384;

    /// <summary>
    /// Builds an endpoint from a generation (0..<see cref="MaxGeneration"/>) and a slot
    /// (0..<see cref="MaxSlotsPerVm"/>-1). Throws <see cref="ArgumentOutOfRangeException"/> for values outside those
    /// ranges, which would otherwise spill into the other part or encode ANY, NONE or SELF.
    /// </summary>
    public static Endpoint Of(int generation, int slot)
    {
        if ((uint)generation > MaxGeneration)
            throw new ArgumentOutOfRangeException(nameof(generation), generation, $"a generation is 0..{MaxGeneration}");
        if ((uint)slot >= MaxSlotsPerVm)
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"a slot is 0..{MaxSlotsPerVm - 1}");
        return new Endpoint((generation << GenerationShift) + slot);
    }

    /// <summary>
    /// The well-known endpoint of system slot <paramref name="slot"/> (generation 0). Throws
    /// <see cref="ArgumentOutOfRangeException"/> for a slot no VM can have as a system slot (negative, or
    /// <see cref="MaxSlotsPerVm"/> and above — beyond the 15-bit slot part it would even name a user endpoint of
    /// another generation). A slot that a particular VM does not have is refused by that VM's calls.
    /// </summary>
    public static Endpoint System(int slot)
    {
        if ((uint)slot >= MaxSlotsPerVm)
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"a system slot is 0..{MaxSlotsPerVm - 1}");
        return new Endpoint(slot);
    }

    /// <inheritdoc />
    public override string ToString() =>
        Value == Any.Value ? "ANY" : Value == None.Value ? "NONE" : Value == Self.Value ? "SELF" : $"{Generation}:{Slot}";
}
