using Akka.Actor;
using M3Actors.Examples.Minix;
using Xunit;
using Xunit.Abstractions;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Tests.Examples;

/// <summary>The clock alone: a probe process sets alarms and sleeps through them.</summary>
public sealed class ClockServerTests(ITestOutputHelper output) : MinixTestKit(output)
{
    private async Task<EndpointHandle> StartClockAsync()
    {
        Vm.ActorOf(Props.Create(() => new ClockServer()), "clock");
        await Vm.WhenBoundAsync(ClockSlot, Patience);
        return Vm.Bind(owner: "sleeper");
    }

    [Fact(Timeout = 20_000)]
    public async Task An_alarm_answers_at_once_and_later_arrives_as_a_notify_from_the_clock()
    {
        var me = await StartClockAsync();
        var (status, reply) = await SendRecOnThread(me, Clock, Request(SysSetAlarm, 1), Patience);
        Assert.Equal((IpcStatus.Ok, Ok), (status, reply.Type));

        var (received, alarm) = await ReceiveOnThread(me, Endpoint.Any, Patience);

        Assert.Equal(IpcStatus.Ok, received);
        Assert.True(alarm.IsNotify);
        Assert.Equal(Clock, alarm.Source);
    }

    [Fact(Timeout = 20_000)]
    public async Task The_shells_sleep_is_an_alarm_and_a_receive()
    {
        await StartClockAsync();
        Assert.Equal(Ok, await Client().SleepAsync(1));
    }

    [Theory(Timeout = 20_000)]
    [InlineData(SysSetAlarm, -1, Invalid)]
    [InlineData(99, 0, NoSys)]
    public async Task Bad_requests_get_an_error(int type, int milliseconds, int expected)
    {
        var me = await StartClockAsync();
        var (status, reply) = await SendRecOnThread(me, Clock, Request(type, milliseconds), Patience);
        Assert.Equal((IpcStatus.Ok, expected), (status, reply.Type));
    }
}
