using Akka.Actor;

namespace M3Actors.Examples.Minix;

/// <summary>
/// A server that can be told to crash (fault injection): <see cref="CrashOnNextRequest"/> arms it and is answered
/// with <see cref="CrashArmed"/>; the server then calls <see cref="CrashIfArmed"/> where a crash hurts most.
/// </summary>
public abstract class MinixServer(int slot) : EndpointActor(slot)
{
    /// <summary>True once told to crash on its next request.</summary>
    protected bool IsCrashArmed { get; private set; }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        if (message is not CrashOnNextRequest)
        {
            Unhandled(message);
            return;
        }
        IsCrashArmed = true;
        Sender.Tell(new CrashArmed(Endpoint));
    }

    /// <summary>Throws <see cref="InjectedCrashException"/> (the crash RS must heal) if armed.</summary>
    protected void CrashIfArmed(string what)
    {
        if (IsCrashArmed) throw new InjectedCrashException($"{GetType().Name} crashed {what}");
    }
}
