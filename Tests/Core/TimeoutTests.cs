using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.Core;

/// <summary>§12.3 timeouts and §12.4 async calls on thread endpoints.</summary>
public sealed class TimeoutTests(ITestOutputHelper output) : IpcTestKit(output)
{
    public static TheoryData<long> ShortTimeouts => new() { 1, 10, 1_000, 5_000, 9_999, 15_000 };   // in 100 ns ticks

    [Theory(Timeout = 20_000)]
    [MemberData(nameof(ShortTimeouts))]
    public async Task A_short_timeout_waits_at_least_that_long_and_leaves_no_trace(long ticks)
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var timeout = TimeSpan.FromTicks(ticks);
        var (status, waited) = await OnThread(() =>
        {
            var clock = Stopwatch.StartNew();
            var s = a.Receive(b.Endpoint, out _, timeout);
            return (s, clock.Elapsed);
        }).WaitAsync(Patience);
        Assert.Equal(IpcStatus.TimedOut, status);
        Assert.True(waited >= timeout,
            $"a {timeout.TotalMicroseconds} µs timeout returned after {waited.TotalMicroseconds} µs");
        AssertNoTrace(a.Endpoint);
        Assert.Equal(IpcStatus.NotReady, b.SendNb(a.Endpoint, Msg(1)));      // a is no longer receiving
    }

    [Fact(Timeout = 20_000)]
    public async Task A_sub_millisecond_send_timeout_is_not_a_non_blocking_send()
    {
        // Zero never queues the sender; any positive timeout does, for its duration (100 µs used to act as zero).
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        Assert.Equal(IpcStatus.Again, a.Send(b.Endpoint, Msg(1), TimeSpan.Zero));
        var sending = OnThread(() => a.Send(b.Endpoint, Msg(2), TimeSpan.FromMicroseconds(100)));
        Assert.Equal(IpcStatus.TimedOut, await sending.WaitAsync(Patience));
        AssertNoTrace(a.Endpoint);
        Assert.Empty(ProcOf(b.Endpoint)!.QueuedSenders);
        Assert.Equal(IpcStatus.Again, b.Receive(Endpoint.Any, out _, TimeSpan.Zero));
    }

    public static TheoryData<TimeSpan> HugeTimeouts => new()
    {
        TimeSpan.MaxValue, TimeSpan.FromMilliseconds(int.MaxValue + 1.0), TimeSpan.FromDays(365),
    };

    [Theory(Timeout = 20_000)]
    [MemberData(nameof(HugeTimeouts))]
    public async Task A_timeout_too_large_for_the_platform_waits_forever(TimeSpan huge)
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var receiving = ReceiveOnThread(b, Endpoint.Any, huge);
        await AwaitState(b.Endpoint, "RECEIVING");
        Assert.Equal(IpcStatus.Ok, a.Send(b.Endpoint, Msg(1), Patience));
        var (status, m) = await receiving.WaitAsync(Patience);
        Assert.Equal((IpcStatus.Ok, 1), (status, m.Type));

        var sending = OnThread(() => a.Send(b.Endpoint, Msg(2), huge));
        await AwaitQueue(b.Endpoint, a.Endpoint);
        Assert.Equal(IpcStatus.Ok, b.Receive(a.Endpoint, out var second, Patience));   // nothing swallowed it
        Assert.Equal(2, second.Type);
        Assert.Equal(IpcStatus.Ok, await sending.WaitAsync(Patience));

        var asking = SendRecOnThread(a, b.Endpoint, Msg(3), huge);
        Assert.Equal(IpcStatus.Ok, b.Receive(a.Endpoint, out _, Patience));
        Assert.Equal(IpcStatus.Ok, b.Reply(a.Endpoint, Msg(4)));
        Assert.Equal((IpcStatus.Ok, 4), ((await asking.WaitAsync(Patience)).Status, (await asking).Message.Type));
    }

    [Fact]
    public void A_negative_timeout_throws_before_any_state_changes()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var bad = TimeSpan.FromMilliseconds(-2);
        var m = Msg(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Send(b.Endpoint, m, bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.SendRec(b.Endpoint, ref m, bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Receive(Endpoint.Any, out _, bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.RcvRqst(out _, bad));
        AssertNoTrace(a.Endpoint);
        Assert.Empty(ProcOf(b.Endpoint)!.QueuedSenders);
        Assert.Equal(IpcStatus.NotReady, b.SendNb(a.Endpoint, Msg(2)));     // a is not receiving
        Assert.Equal(IpcStatus.NotReady, a.SendNb(b.Endpoint, Msg(3)));     // and a is free for its next call
    }

    [Fact(Timeout = 20_000)]
    public async Task An_async_call_nobody_awaits_frees_the_endpoint_when_it_completes()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        _ = a.SendAsync(b.Endpoint, Msg(1));          // fire and forget
        await AwaitQueue(b.Endpoint, a.Endpoint);
        Assert.Equal(IpcStatus.Busy, a.SendNb(b.Endpoint, Msg(9)));      // still under way: the endpoint is owned
        Assert.Equal(IpcStatus.Ok, b.Receive(a.Endpoint, out _, Patience));
        // The receive completed the send before returning, so the endpoint is free at once (it used to stay Busy).
        Assert.Equal(IpcStatus.NotReady, a.SendNb(b.Endpoint, Msg(2)));
        var asking = a.SendRecAsync(b.Endpoint, Msg(3));
        Assert.Equal(IpcStatus.Ok, b.Receive(a.Endpoint, out _, Patience));
        Assert.Equal(IpcStatus.Ok, b.Reply(a.Endpoint, Msg(4)));
        Assert.Equal((IpcStatus.Ok, 4), ((await asking.AsTask().WaitAsync(Patience)).Status, (await asking).Message.Type));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_late_await_reads_its_own_result_after_later_calls()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        var first = a.SendRecAsync(b.Endpoint, Msg(1));
        Assert.Equal(IpcStatus.Ok, b.Receive(a.Endpoint, out _, Patience));
        Assert.Equal(IpcStatus.Ok, b.Reply(a.Endpoint, Msg(10)));
        var second = a.SendRecAsync(b.Endpoint, Msg(2));      // first is complete but not awaited yet
        Assert.Equal(IpcStatus.Ok, b.Receive(a.Endpoint, out var request, Patience));
        Assert.Equal(2, request.Type);
        Assert.Equal(IpcStatus.Ok, b.Reply(a.Endpoint, Msg(20)));
        Assert.Equal(20, (await second.AsTask().WaitAsync(Patience)).Message.Type);
        Assert.Equal(10, (await first.AsTask().WaitAsync(Patience)).Message.Type);
        // And the pooled path still works after both were taken.
        var third = a.ReceiveAsync(b.Endpoint);
        Assert.Equal(IpcStatus.Ok, b.Send(a.Endpoint, Msg(30), Patience));
        Assert.Equal(30, (await third.AsTask().WaitAsync(Patience)).Message.Type);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_cancelled_async_call_frees_the_endpoint_and_an_already_cancelled_token_starts_nothing()
    {
        using var a = Vm.Bind();
        using var b = Vm.Bind();
        using var cancel = new CancellationTokenSource();
        var receiving = a.ReceiveAsync(b.Endpoint, cancel.Token);
        await AwaitState(a.Endpoint, "RECEIVING");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving.AsTask().WaitAsync(Patience));
        AssertNoTrace(a.Endpoint);
        var never = a.SendAsync(b.Endpoint, Msg(1), cancel.Token);
        Assert.True(never.IsCanceled);
        Assert.Empty(ProcOf(b.Endpoint)!.QueuedSenders);
        Assert.Equal(IpcStatus.NotReady, a.SendNb(b.Endpoint, Msg(2)));
    }
}
