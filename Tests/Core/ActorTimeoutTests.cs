using System.Diagnostics;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>Timed actor calls (rulebook §11, §12.2, §12.3) and what <c>LastError</c> says after a failed call.</summary>
public sealed class ActorTimeoutTests(ITestOutputHelper output) : IpcTestKit(output)
{
    public static TheoryData<string, long> TooLarge => new()
    {
        { "TimeSpan.MaxValue", TimeSpan.MaxValue.Ticks },
        { "int.MaxValue ms + 1 ms", TimeSpan.FromMilliseconds(int.MaxValue + 1d).Ticks },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(TooLarge))]
    public async Task A_timeout_too_large_for_the_scheduler_means_infinite(string name, long ticks)
    {
        using var server = Vm.Bind(owner: "server");
        var (actor, endpoint) = Start();
        actor.Tell(new TimedActor.Call(true, server.Endpoint, Msg(1), TimeSpan.FromTicks(ticks)));
        Assert.Equal(IpcStatus.Suspended, ExpectMsg<IpcStatus>(Patience));
        Assert.Equal(IpcStatus.Ok, (await ReceiveOnThread(server, endpoint, Patience)).Status);
        await AwaitState(endpoint, $"SENDREC waiting for {server.Endpoint}");
        Assert.Equal(IpcStatus.Ok, server.Reply(endpoint, Msg(2)));
        var outcome = ExpectMsg<TimedActor.Outcome>(Patience);
        Assert.True(outcome.Status == IpcStatus.Ok, $"{name}: {outcome.Status}");
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true, -2)]
    [InlineData(false, -2)]
    [InlineData(true, -10_000)]
    public async Task A_negative_timeout_throws_before_anything_changes(bool sendRec, int milliseconds)
    {
        using var server = Vm.Bind(owner: "server");
        var receiving = ReceiveOnThread(server, Endpoint.Any, Patience);
        await AwaitState(server.Endpoint, "RECEIVING from ANY");
        var (actor, endpoint) = Start();
        actor.Tell(new TimedActor.Call(sendRec, server.Endpoint, Msg(1), TimeSpan.FromMilliseconds(milliseconds)));
        var failure = ExpectMsg<ArgumentOutOfRangeException>(Patience);
        Assert.Equal("timeout", failure.ParamName);
        Assert.StartsWith("RECEIVING from ANY", ProcOf(server.Endpoint)!.State);     // nothing was delivered
        await AwaitIdle(endpoint);
        using var other = Vm.Bind(owner: "other");
        Assert.Equal(IpcStatus.Ok, other.SendNb(server.Endpoint, Msg(3)));
        Assert.Equal(3, (await receiving.WaitAsync(Patience)).Message.Type);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true, 1)]              // 100 ns: far below the scheduler's tick
    [InlineData(true, 5_000)]          // 0.5 ms
    [InlineData(true, 300_000)]        // 30 ms
    [InlineData(false, 1)]
    [InlineData(false, 300_000)]
    public async Task A_positive_timeout_waits_at_least_that_long_and_never_acts_as_zero(bool sendRec, long ticks)
    {
        using var server = Vm.Bind(owner: "silent server");      // never receives: the call can only time out
        var (actor, endpoint) = Start();
        var timeout = TimeSpan.FromTicks(ticks);
        actor.Tell(new TimedActor.Call(sendRec, server.Endpoint, Msg(1), timeout));
        Assert.Equal(IpcStatus.Suspended, ExpectMsg<IpcStatus>(Patience));
        var outcome = ExpectMsg<TimedActor.Outcome>(Patience);
        Assert.Equal(IpcStatus.TimedOut, outcome.Status);
        Assert.True(outcome.Waited >= timeout,
            $"timed out after {outcome.Waited.TotalMilliseconds} ms, before {timeout.TotalMilliseconds} ms");
        await AwaitIdle(endpoint);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_zero_timeout_returns_Again_and_sends_nothing_to_a_busy_destination(bool sendRec)
    {
        using var server = Vm.Bind(owner: "busy server");        // not receiving
        var (actor, endpoint) = Start();
        actor.Tell(new TimedActor.Call(sendRec, server.Endpoint, Msg(1), TimeSpan.Zero));
        Assert.Equal(IpcStatus.Again, ExpectMsg<IpcStatus>(Patience));
        await AwaitIdle(endpoint);
        Assert.Equal(IpcStatus.Again, server.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }

    [Fact(Timeout = 30_000)]
    public async Task SendRec_with_a_zero_timeout_sends_nothing_even_to_a_receiving_destination()
    {
        using var server = Vm.Bind(owner: "server");
        var receiving = ReceiveOnThread(server, Endpoint.Any, Patience);
        await AwaitState(server.Endpoint, "RECEIVING from ANY");
        var (actor, endpoint) = Start();
        actor.Tell(new TimedActor.Call(true, server.Endpoint, Msg(1), TimeSpan.Zero));
        Assert.Equal(IpcStatus.Again, await ExpectMsgAsync<IpcStatus>(Patience));
        Assert.StartsWith("RECEIVING from ANY", ProcOf(server.Endpoint)!.State);     // the request was not delivered
        await AwaitIdle(endpoint);
        using var other = Vm.Bind(owner: "other");
        Assert.Equal(IpcStatus.Ok, other.SendNb(server.Endpoint, Msg(3)));
        Assert.Equal(3, (await receiving.WaitAsync(Patience)).Message.Type);
    }

    [Fact(Timeout = 30_000)]
    public async Task LastError_says_what_was_wrong_with_the_last_failed_call()
    {
        using var busy = Vm.Bind(owner: "busy");
        var (actor, endpoint) = Start();
        actor.Tell(new TimedActor.SendNbThenLastError(busy.Endpoint));
        var (status, why) = await ExpectMsgAsync<(IpcStatus, string?)>(Patience);
        Assert.Equal(IpcStatus.NotReady, status);
        Assert.Contains("is not waiting", why);
        actor.Tell(new TimedActor.SendNbThenLastError(endpoint));
        (status, why) = await ExpectMsgAsync<(IpcStatus, string?)>(Patience);
        Assert.Equal(IpcStatus.BadEndpoint, status);
        Assert.Contains("its own partner", why);
        actor.Tell(new TimedActor.NotifyThenLastError(busy.Endpoint));
        Assert.Equal((IpcStatus.Ok, (string?)null), await ExpectMsgAsync<(IpcStatus, string?)>(Patience));

        using var silent = Vm.Bind(owner: "silent");       // a timed-out call's reason is there in OnReply
        actor.Tell(new TimedActor.Call(true, silent.Endpoint, Msg(1), TimeSpan.FromMilliseconds(1)));
        Assert.Equal(IpcStatus.Suspended, await ExpectMsgAsync<IpcStatus>(Patience));
        var outcome = await ExpectMsgAsync<TimedActor.Outcome>(Patience);
        Assert.Equal((IpcStatus.TimedOut, IpcStatus.TimedOut.Describe()), (outcome.Status, outcome.LastError));
    }

    // An actor between handlers: in its idle receive, and in nobody's queue (rulebook §12.3: no trace of a failed call).
    private async Task AwaitIdle(Endpoint endpoint)
    {
        await AwaitState(endpoint, "RECEIVING from ANY (idle)");
        Assert.All(Vm.Snapshot().Procs, p => Assert.DoesNotContain(endpoint, p.QueuedSenders));
    }

    private (IActorRef Actor, Endpoint Endpoint) Start()
    {
        var actor = Vm.ActorOf(Props.Create(() => new TimedActor(TestActor)));
        return (actor, ExpectMsg<Endpoint>(Patience));
    }

    /// <summary>Makes one timed send or sendrec per command; reports the immediate status, then the outcome and how long it took.</summary>
    private sealed class TimedActor(IActorRef probe) : EndpointActor
    {
        private long _started;

        public sealed record Call(bool SendRec, Endpoint Dst, Message Message, TimeSpan Timeout);
        public sealed record SendNbThenLastError(Endpoint Dst);
        public sealed record NotifyThenLastError(Endpoint Dst);
        public sealed record Outcome(IpcStatus Status, TimeSpan Waited, string? LastError);

        protected override void PreStart()
        {
            base.PreStart();
            probe.Tell(Endpoint);
        }

        protected override void OnMessage(in Message m)
        {
        }

        protected override void OnReply(IpcStatus status, in Message reply) =>
            probe.Tell(new Outcome(status, Stopwatch.GetElapsedTime(_started), LastError));

        protected override void OnSendDone(IpcStatus status) =>
            probe.Tell(new Outcome(status, Stopwatch.GetElapsedTime(_started), LastError));

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case Call c:
                    _started = Stopwatch.GetTimestamp();
                    try
                    {
                        probe.Tell(c.SendRec ? SendRec(c.Dst, c.Message, c.Timeout) : Send(c.Dst, c.Message, c.Timeout));
                    }
                    catch (ArgumentOutOfRangeException e)
                    {
                        probe.Tell(e);
                    }
                    break;
                case SendNbThenLastError c:
                    probe.Tell((SendNb(c.Dst, new Message(1)), LastError));
                    break;
                case NotifyThenLastError c:
                    probe.Tell((Notify(c.Dst), LastError));
                    break;
                default: Unhandled(message); break;
            }
        }
    }
}
