using Akka.Actor;
using M3Actors.Tests.Core;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Ecosystem;

// The README's "Testing a server" example, as it runs here (the README's EchoServer binds slot 5 by itself).
public sealed class EchoServerTests(ITestOutputHelper output) : VmTestKit(output)
{
    [Fact(Timeout = 20_000)]
    public async Task Echo_answers_with_type_plus_one()
    {
        var echo = await StartServerAsync(Props.Create(() => new EchoServer(5)), slot: 5);
        using var client = Probe();                              // a thread endpoint that records what it gets
        var reply = client.ExpectIpcReply(echo, new Message(41)); // sendrec; fails the test unless Ok in time
        Assert.Equal(42, reply.Type);
        Assert.Equal(echo, reply.Source);
    }
}
