using M3Actors.Smp;

namespace M3Actors.Tests.Smp;

/// <summary>Where an IPC handler ran, as a reply carries it.</summary>
public sealed record IpcHere(int Vcpu, int Cpu, int PhysicalCpu, string Thread)
{
    /// <summary>Reads the reply of a <see cref="WhereServer"/>.</summary>
    public static IpcHere From(in Message m) => new(m.GetInt(10), m.GetInt(11), m.GetInt(12), m.GetText());
}

/// <summary>An endpoint actor that answers every request with where its handler ran; on <see cref="Hold"/> it keeps its vCPU busy.</summary>
public sealed class WhereServer(int? slot) : EndpointActor(slot)
{
    protected override void OnMessage(in Message m)
    {
        var vcpu = Vcpu.Current;
        var reply = new Message(m.Type + 1);
        reply.SetText(Thread.CurrentThread.Name ?? "");
        reply.SetInt(10, vcpu?.Id ?? -1);
        reply.SetInt(11, CpuAffinity.CurrentCpu());
        reply.SetInt(12, vcpu?.PhysicalCpu ?? -1);
        Reply(m.Source, in reply);
    }

    protected override void OnCommand(object message)
    {
        if (message is not Hold hold)
        {
            Unhandled(message);
            return;
        }
        hold.Holding.TrySetResult(Vcpu.Current?.Id ?? -1);
        // The limit is the failure path: a gate never opened must not hold the vCPU forever.
        hold.Released.TrySetResult(hold.Gate.Wait(hold.Limit));
    }
}

/// <summary>Makes a <see cref="WhereServer"/> hold its vCPU in a long handler until <paramref name="Gate"/> opens.</summary>
public sealed record Hold(ManualResetEventSlim Gate, TimeSpan Limit)
{
    public TaskCompletionSource<int> Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<bool> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Asks an <see cref="IpcClient"/> for <paramref name="Count"/> sendrec round trips with <paramref name="Server"/>.</summary>
public sealed record RoundTrips(Endpoint Server, int Count)
{
    /// <summary>Completes with the vCPUs the client's reply handlers ran on (distinct), or fails with the first bad status.</summary>
    public TaskCompletionSource<IReadOnlySet<int>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>An endpoint actor client: sendrec to the server, one after the other, as many times as asked.</summary>
public sealed class IpcClient : EndpointActor
{
    private RoundTrips? _run;
    private int _left;
    private readonly HashSet<int> _ranOn = [];

    protected override void OnCommand(object message)
    {
        if (message is not RoundTrips run)
        {
            Unhandled(message);
            return;
        }
        (_run, _left) = (run, run.Count);
        _ranOn.Clear();
        Next();
    }

    protected override void OnMessage(in Message m)
    {
    }

    protected override void OnReply(IpcStatus status, in Message reply)
    {
        _ranOn.Add(Vcpu.Current?.Id ?? -1);
        if (status != IpcStatus.Ok)
        {
            _run!.Done.TrySetException(new IpcException(status, "round trip failed"));
            return;
        }
        if (--_left == 0) _run!.Done.TrySetResult(_ranOn.ToHashSet());
        else Next();
    }

    private void Next()
    {
        var status = SendRec(_run!.Server, new Message(1));
        if (status != IpcStatus.Suspended) _run.Done.TrySetException(new IpcException(status, "sendrec did not suspend"));
    }
}
