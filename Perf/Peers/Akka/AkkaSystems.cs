using Akka.Actor;
using Akka.Configuration;

namespace M3Actors.Perf.Peers.Akka;

/// <summary>Creates and stops the actor systems the Akka peers measure on.</summary>
public static class AkkaSystems
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A local actor system that stays quiet on the console (benchmark output is the report), with
    /// <paramref name="extraHocon"/> (e.g. dispatcher definitions) layered on top, named <paramref name="name"/>.</summary>
    public static ActorSystem Start(string extraHocon = "", string name = "perf")
    {
        var config = ConfigurationFactory.ParseString(extraHocon + """

            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            """);
        return ActorSystem.Create(name, config);
    }

    /// <summary>Terminates <paramref name="system"/> and fails loudly if it does not stop in time.</summary>
    public static void Stop(ActorSystem system)
    {
        if (!system.Terminate().Wait(StopTimeout))
        {
            throw new TimeoutException($"Actor system {system.Name} did not terminate within {StopTimeout}.");
        }
    }
}
