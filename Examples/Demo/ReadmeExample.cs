using Akka.Actor;

namespace M3Actors.Examples.Demo;

// The README's example, verbatim from here down: the demo runs it first, so it always compiles and works.

// A server: an actor on well-known system slot 5 that answers every request with Type + 1.
public sealed class EchoServer() : EndpointActor(5)
{
    protected override void OnMessage(in Message m) => Reply(m.Source, new Message(m.Type + 1));
}

public static class ReadmeExample
{
    public static async Task<int> RunAsync()
    {
        await using var drvs = Drvs.Start();                              // embedded defaults: one node
        var vm = drvs.StartVm(new VmOptions { Id = 1, Name = "hello" });
        vm.ActorOf(Props.Create(() => new EchoServer()), "echo");
        await vm.WhenBoundAsync(5, TimeSpan.FromSeconds(5));                // the actor binds in PreStart

        // A client: a plain thread with an endpoint of its own; sendrec blocks until the reply.
        using var client = vm.Bind();
        var m = new Message(41);
        var status = client.SendRec(Endpoint.System(5), ref m, TimeSpan.FromSeconds(5));
        Console.WriteLine($"{status}: reply {m.Type} from {m.Source}");    // Ok: reply 42 from 0:5
        return status == IpcStatus.Ok && m.Type == 42 ? 0 : 1;
    }
}
