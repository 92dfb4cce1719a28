using Akka.Actor;
using Akka.Serialization;
using Hyperion;
using M3Actors.ClusterBridge.Directory;
using M3Actors.ClusterBridge.Membership;

namespace M3Actors.ClusterBridge.Serialization;

/// <summary>
/// Akka.Serialization.Hyperion's serializer, configured for the bridge's control messages: network input is
/// untrusted, so only <see cref="ControlTypes"/> may be created from the wire and Hyperion's unsafe-type guard is on.
/// It is the library's serializer with one setting changed, not an adapter: two defects of the released packages make
/// the documented routes unusable (checked with Akka.Serialization.Hyperion 1.5.73 and Hyperion 0.12.2):
/// <c>HyperionSerializerSetup.WithTypeFilter</c> never reaches Hyperion's options, and Hyperion's own
/// <see cref="TypeFilter"/> matches short type names while its writer asks with assembly-qualified names, so it refuses
/// every type on write. <see cref="ControlTypeFilter"/> accepts both spellings of the same allowed types.
/// </summary>
public sealed class ControlSerializer(ExtendedActorSystem system) : HyperionSerializer(system, Restricted)
{
    /// <summary>The control message types that may cross the network (and the types they are built from).</summary>
    public static IReadOnlyList<Type> ControlTypes { get; } =
    [
        typeof(DirectoryEntry), typeof(Endpoint),
        typeof(Challenge), typeof(Proof), typeof(Admitted), typeof(Refused),
    ];

    private static readonly HyperionSerializerSettings Restricted = HyperionSerializerSettings.Default
        .WithDisallowUnsafeType(true)
        .WithTypeFilter(new ControlTypeFilter(ControlTypes));

    /// <summary>Allows exactly the listed types, named either short (on read) or assembly-qualified (on write).</summary>
    private sealed class ControlTypeFilter(IEnumerable<Type> allowed) : ITypeFilter
    {
        private readonly HashSet<string> _names = allowed
            .SelectMany(t => new[] { t.AssemblyQualifiedName!, $"{t.FullName}, {t.Assembly.GetName().Name}" })
            .ToHashSet(StringComparer.Ordinal);

        public bool IsAllowed(string typeName) => _names.Contains(typeName);
    }
}
