namespace M3Actors.Examples.Smp;

/// <summary>IPC2's server: answers every request with the same message (one sendrec = one round trip).</summary>
public sealed class EchoPairServer(int slot) : EndpointActor(slot)
{
    protected override void OnMessage(in Message m) => Reply(m.Source, in m);
}

/// <summary>Shared stop signal of one measurement.</summary>
public sealed class StopFlag
{
    private volatile bool _stopped;

    public bool Stopped => _stopped;

    public void Stop() => _stopped = true;
}

/// <summary>Makes an <see cref="EchoPairClient"/> sendrec to <paramref name="Server"/> until <paramref name="Limit"/> round trips or the flag stops it.</summary>
public sealed record Go(Endpoint Server, long Limit, StopFlag Stop)
{
    /// <summary>Round trips done, or the failure.</summary>
    public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>IPC2's client: an endpoint actor doing one sendrec after the other.</summary>
public sealed class EchoPairClient : EndpointActor
{
    private Go? _go;
    private long _count;
    private Message _request = new(1);

    protected override void OnCommand(object message)
    {
        if (message is not Go go)
        {
            Unhandled(message);
            return;
        }
        (_go, _count) = (go, 0);
        Next();
    }

    protected override void OnMessage(in Message m)
    {
    }

    protected override void OnReply(IpcStatus status, in Message reply)
    {
        if (status != IpcStatus.Ok)
        {
            _go!.Done.TrySetException(new IpcException(status, "sendrec failed"));
            return;
        }
        if (++_count >= _go!.Limit || _go.Stop.Stopped) _go.Done.TrySetResult(_count);
        else Next();
    }

    private void Next()
    {
        var status = SendRec(_go!.Server, in _request);
        if (status != IpcStatus.Suspended) _go.Done.TrySetException(new IpcException(status, "sendrec did not suspend"));
    }
}
