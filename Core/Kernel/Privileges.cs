namespace M3Actors;

/// <summary>The primitives, as bits of a call mask (Minix's trap mask).</summary>
[Flags]
public enum IpcCalls
{
    /// <summary>No primitive.</summary>
    None = 0,
    /// <summary>send.</summary>
    Send = 1 << 0,
    /// <summary>receive.</summary>
    Receive = 1 << 1,
    /// <summary>sendrec.</summary>
    SendRec = 1 << 2,
    /// <summary>notify.</summary>
    Notify = 1 << 3,
    /// <summary>sendnb.</summary>
    SendNb = 1 << 4,
    /// <summary>vcopy.</summary>
    VCopy = 1 << 5,
    /// <summary>rcvrqst.</summary>
    RcvRqst = 1 << 6,
    /// <summary>reply.</summary>
    Reply = 1 << 7,
    /// <summary>Every primitive.</summary>
    All = Send | Receive | SendRec | Notify | SendNb | VCopy | RcvRqst | Reply,
}

/// <summary>
/// An endpoint's privileges (rulebook §8, from Minix's priv structure): which primitives it may call
/// (<see cref="IpcStatus.TrapDenied"/> otherwise) and which slots it may send to or notify
/// (<see cref="IpcStatus.CallDenied"/> otherwise).
/// </summary>
/// <param name="Calls">The call mask.</param>
/// <param name="Destinations">Slots the endpoint may send to or notify; null means every slot.</param>
public sealed record Privileges(IpcCalls Calls, IReadOnlySet<int>? Destinations = null)
{
    /// <summary>Every primitive, every destination: the default for user and system slots.</summary>
    public static readonly Privileges Full = new(IpcCalls.All);

    /// <summary>True when the call mask allows <paramref name="call"/>.</summary>
    public bool Allows(IpcCalls call) => (Calls & call) == call;

    /// <summary>True when the endpoint may send to or notify <paramref name="slot"/>.</summary>
    public bool MaySendTo(int slot) => Destinations is null || Destinations.Contains(slot);
}
