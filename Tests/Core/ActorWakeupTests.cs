using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>
/// The kernel's wakeup of an actor endpoint is never lost: every request a thread client hands to an idle actor
/// server gets its mailbox run. A lost wakeup leaves the server READY (the request taken, no handler run) and the
/// client waiting until its timeout; in the IPC2 thread benchmark that happened about once in 300,000 round trips.
/// </summary>
public sealed class ActorWakeupTests(ITestOutputHelper output) : IpcTestKit(output)
{
    private const int RoundTrips = 300_000;

    [Fact(Timeout = 180_000)]
    public async Task A_thread_client_back_to_back_with_an_actor_server_is_never_left_waiting()
    {
        var server = await StartServerAsync(Props.Create(() => new EchoServer(3)), 3, "server");
        using var client = Vm.Bind();
        var (done, failure) = await OnThread(() =>
        {
            var m = Msg(10);
            for (var i = 0; i < RoundTrips; i++)
            {
                m.Type = 10;
                // Far longer than any round trip, even on a busy CI box: only a lost wakeup runs into it.
                var status = client.SendRec(server, ref m, Patience);
                if (status != IpcStatus.Ok || m.Type != 11)
                {
                    return (i, $"round trip {i}: {status}, reply type {m.Type}{Environment.NewLine}" +
                               ProcView.Render(Vm.Snapshot()));
                }
            }
            return (RoundTrips, (string?)null);
        }).WaitAsync(TimeSpan.FromSeconds(170));
        Assert.Null(failure);
        Assert.Equal(RoundTrips, done);
    }
}
