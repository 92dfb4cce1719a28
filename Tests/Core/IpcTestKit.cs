using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Helpers shared by the Core IPC tests on top of the users' <see cref="VmTestKit"/>: scripted actors.</summary>
public abstract class IpcTestKit(ITestOutputHelper output) : VmTestKit(output)
{
    /// <summary>Starts a <see cref="ScriptActor"/> reporting to the test actor and returns it with its endpoint once bound.</summary>
    protected (IActorRef Actor, Endpoint Endpoint) Script(int? slot = null, bool echo = false, Vm? vm = null, string? name = null)
    {
        var actor = (vm ?? Vm).ActorOf(Props.Create(() => new ScriptActor(TestActor, slot, echo)), name);
        actor.Tell(new ScriptActor.WhoAmI(), TestActor);
        return (actor, ExpectMsg<Endpoint>(Patience));
    }

    /// <summary>Tells <paramref name="actor"/> a command and returns its immediate status.</summary>
    protected IpcStatus Do(IActorRef actor, object command)
    {
        actor.Tell(command, TestActor);
        return ExpectMsg<ScriptActor.Started>(Patience).Status;
    }

    /// <summary>A message with a type and an int payload.</summary>
    protected static Message Msg(int type, int value = 0)
    {
        var m = new Message(type);
        m.SetInt(0, value);
        return m;
    }

    /// <summary>
    /// <paramref name="count"/> sendrec round trips from <paramref name="client"/> to a thread serving on
    /// <paramref name="server"/>, each checked for its own sequence number.
    /// </summary>
    protected async Task RoundTripsAsync(EndpointHandle client, EndpointHandle server, int count)
    {
        var serving = OnThread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                if (server.Receive(client.Endpoint, out var request, Patience) != IpcStatus.Ok) return i;
                if (server.Reply(client.Endpoint, request) != IpcStatus.Ok) return i;
            }
            return count;
        });
        for (var i = 0; i < count; i++)
        {
            var m = Msg(1, i);
            Assert.Equal(IpcStatus.Ok, client.SendRec(server.Endpoint, ref m, Patience));
            Assert.Equal(i, m.GetInt(0));
        }
        Assert.Equal(count, await serving.WaitAsync(Patience));
    }
}
