using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using M3Actors.Smp;

namespace M3Actors.Examples.Smp;

/// <summary>
/// The fairness practical: one IPC2 pair beside CPU-bound actors on 2 vCPUs (symmetric, <c>throughput = 100</c>),
/// with the preemption tick at its default and practically off. Reports the pair's worst round trip: how long one
/// actor's run can keep the pair waiting in the run queue.
/// </summary>
public static class SmpFairness
{
    private const int Hogs = 32;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Measures both settings for <paramref name="window"/> each; returns the report lines.</summary>
    public static async Task<IReadOnlyList<string>> MeasureAsync(TimeSpan window)
    {
        var lines = new List<string>
        {
            $"fairness: 1 sendrec pair beside {Hogs} CPU-bound actors (50 us per message), 2 vCPUs, symmetric, throughput 100",
        };
        foreach (var (label, deadline) in new[] { ("tick 1 ms (default)", null), ("tick 1h (~ no preemption)", "1h") })
        {
            var (trips, worst) = await RunAsync(deadline, window);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {label,-28} round trips {trips,9:N0}   worst round trip {worst.TotalMilliseconds,8:0.0} ms"));
        }
        return lines;
    }

    private static async Task<(long Trips, TimeSpan Worst)> RunAsync(string? deadline, TimeSpan window)
    {
        var deadlineKey = deadline is null ? "" : $", throughput-deadline-time = {deadline}";
        var hocon = $"m3actors.vcpus {{ vcpus = 2, policy = symmetric, throughput = 100{deadlineKey} }}";
        await using var drvs = Drvs.Start();
        var config = ConfigurationFactory.ParseString(hocon);
        var vm = drvs.StartVm(new VmOptions { Id = 1, Name = "fairness", ActorConfig = config });
        vm.ActorOf(Props.Create(() => new EchoPairServer(0)), "server");
        var server = await vm.WhenBoundAsync(0, Patience);
        var client = vm.ActorOf(Props.Create<TimedEchoClient>(), "client");
        var stop = new StopFlag();
        for (var i = 0; i < Hogs; i++) vm.ActorOf(Props.Create(() => new Hog(stop)), $"hog-{i}").Tell(Hog.Spin);

        var go = new TimedGo(server, stop);
        client.Tell(go, ActorRefs.NoSender);
        await Task.Delay(window);       // the measurement window, not a synchronisation
        stop.Stop();
        return await go.Done.Task.WaitAsync(Patience * 3);
    }

    /// <summary>Starts a <see cref="TimedEchoClient"/>; completes with its round trips and the worst one.</summary>
    private sealed record TimedGo(Endpoint Server, StopFlag Stop)
    {
        public TaskCompletionSource<(long, TimeSpan)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Sendrec after sendrec, timing each from the call to the reply handler.</summary>
    private sealed class TimedEchoClient : EndpointActor
    {
        private TimedGo? _go;
        private long _count;
        private long _sentAt;
        private long _worst;
        private Message _request = new(1);

        protected override void OnCommand(object message)
        {
            if (message is not TimedGo go)
            {
                Unhandled(message);
                return;
            }
            _go = go;
            Next();
        }

        protected override void OnMessage(in Message m)
        {
        }

        protected override void OnReply(IpcStatus status, in Message reply)
        {
            _worst = Math.Max(_worst, Stopwatch.GetTimestamp() - _sentAt);
            if (status != IpcStatus.Ok) _go!.Done.TrySetException(new IpcException(status, "sendrec failed"));
            else if (_go!.Stop.Stopped) _go.Done.TrySetResult((++_count, Stopwatch.GetElapsedTime(0, _worst)));
            else
            {
                _count++;
                Next();
            }
        }

        private void Next()
        {
            _sentAt = Stopwatch.GetTimestamp();
            var status = SendRec(_go!.Server, in _request);
            if (status != IpcStatus.Suspended) _go.Done.TrySetException(new IpcException(status, "sendrec did not suspend"));
        }
    }

    /// <summary>CPU-bound: each message spins 50 us and sends the next one to itself, until the flag stops it.</summary>
    private sealed class Hog : ReceiveActor
    {
        public const string Spin = "spin";

        public Hog(StopFlag stop)
        {
            Receive<string>(_ =>
            {
                var started = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(started).Ticks < 500) Thread.SpinWait(20);
                if (!stop.Stopped) Self.Tell(Spin);
            });
        }
    }
}
