using Akka.Configuration;
using M3Actors.ClusterBridge.Directory;
using M3Actors.ClusterBridge.Frames;
using M3Actors.ClusterBridge.Membership;

namespace M3Actors.ClusterBridge.Serialization;

/// <summary>
/// How a VM's ActorSystem serializes what the bridge sends between nodes: batches of IPC frames with
/// <see cref="IpcFrameSerializer"/>, control messages with Hyperion restricted to the bridge's own types
/// (<see cref="ControlSerializer"/>). Everything else keeps Akka's bindings (the most specific binding wins, so
/// cluster gossip stays on Akka's protobuf serializers).
/// </summary>
public static class BridgeSerialization
{
    /// <summary>The serializer names and bindings; merge it into the VM's HOCON.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers {
            m3-frame = "{{Qualified(typeof(IpcFrameSerializer))}}"
            m3-control = "{{Qualified(typeof(ControlSerializer))}}"
          }
          serialization-bindings {
            "{{Qualified(typeof(FrameBatch))}}" = m3-frame
            "{{Qualified(typeof(DirectoryEntry))}}" = m3-control
            "{{Qualified(typeof(Challenge))}}" = m3-control
            "{{Qualified(typeof(Proof))}}" = m3-control
            "{{Qualified(typeof(Admitted))}}" = m3-control
            "{{Qualified(typeof(Refused))}}" = m3-control
          }
        }
        """);

    private static string Qualified(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
