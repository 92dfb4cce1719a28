using Akka.Actor;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>
/// The child side of <see cref="AkkaRemoteTell"/> and <see cref="AkkaRemoteTellPipelined"/>: this program started
/// with <c>peer akka-pong &lt;pairs&gt;</c> runs a remote ActorSystem with pongers <c>/user/ponger-0..pairs-1</c>
/// that answer every <c>byte[]</c> with itself, and reports the system's address. It lives until the child ends.
/// </summary>
public static class AkkaPongPeer
{
    /// <summary>Remoting on a free loopback port: both sides of the Tell benchmarks use it.</summary>
    public const string RemoteHocon = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        """;

    private static ActorSystem? _system;

    /// <summary>Starts the system and its pongers; returns its address (<c>akka.tcp://…</c>).</summary>
    public static string Serve(string address)
    {
        var pairs = int.Parse(address, System.Globalization.CultureInfo.InvariantCulture);
        _system = AkkaSystems.Start(RemoteHocon, "perf-remote");
        for (var pair = 0; pair < pairs; pair++) _system.ActorOf(Props.Create<BytesPonger>(), $"ponger-{pair}");
        return ((ExtendedActorSystem)_system).Provider.DefaultAddress.ToString();
    }

    private sealed class BytesPonger : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is byte[]) Sender.Tell(message, Self);
            else Unhandled(message);
        }
    }
}
