using Akka.Actor;

namespace M3Actors.Perf.M3;

/// <summary>Props helpers: every benchmark actor is created with an optional dispatcher (null: the default one).</summary>
internal static class BenchProps
{
    internal static Props On(this Props props, string? dispatcher) => dispatcher is null ? props : props.WithDispatcher(dispatcher);

    internal static string Unexpected(string who, string what, IpcStatus status, string? lastError) =>
        $"{who}: {what} returned {status} ({lastError ?? status.Describe()})";
}

/// <summary>IPC2 server: takes each request in its implicit receive and replies with the request itself.</summary>
public sealed class ReplyServer(int slot, RoundSignal signal) : EndpointActor(slot)
{
    /// <summary>Props for a server bound to system slot <paramref name="slot"/>.</summary>
    public static Props Props(int slot, RoundSignal signal, string? dispatcher = null) =>
        Akka.Actor.Props.Create(() => new ReplyServer(slot, signal)).On(dispatcher);

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        var status = Reply(m.Source, in m);
        if (status != IpcStatus.Ok) signal.Fail(BenchProps.Unexpected(nameof(ReplyServer), "reply", status, LastError));
    }
}

/// <summary>
/// The client side of a round: on a <see cref="M3Round"/> it issues its first operation, and each completed round trip
/// issues the next until its share is done, then signals. Requests live in fields, so a round trip allocates nothing.
/// </summary>
public abstract class RoundClient(int slot, RoundSignal signal) : EndpointActor(slot)
{
    /// <summary>Round trips left in this round.</summary>
    protected int Remaining { get; private set; }

    /// <inheritdoc />
    protected sealed override void OnCommand(object message)
    {
        if (message is not M3Round round)
        {
            Unhandled(message);
            return;
        }
        Remaining = round.Operations;
        Issue();
    }

    /// <summary>Starts one round trip.</summary>
    protected abstract void Issue();

    /// <summary>One round trip ended: the next one, or the end of this client's share.</summary>
    protected void Next()
    {
        if (--Remaining == 0) signal.Done();
        else Issue();
    }

    /// <summary>Ends the round with a failure that names the call and its status.</summary>
    protected void Fail(string call, IpcStatus status) => signal.Fail(BenchProps.Unexpected(GetType().Name, call, status, LastError));

    /// <summary>Ends the round with a failure.</summary>
    protected void Fail(string why) => signal.Fail($"{GetType().Name}: {why}");
}

/// <summary>IPC2 client: sendrec to its server; the reply arrives in OnReply and starts the next round trip.</summary>
public sealed class SendRecClient(int slot, Endpoint server, RoundSignal signal) : RoundClient(slot, signal)
{
    private Message _request = new(1);

    /// <summary>Props for a client bound to system slot <paramref name="slot"/>.</summary>
    public static Props Props(int slot, Endpoint server, RoundSignal signal, string? dispatcher = null) =>
        Akka.Actor.Props.Create(() => new SendRecClient(slot, server, signal)).On(dispatcher);

    /// <inheritdoc />
    protected override void OnReply(IpcStatus status, in Message reply)
    {
        if (status != IpcStatus.Ok) Fail("sendrec", status);
        else Next();
    }

    /// <inheritdoc />
    protected override void OnMessage(in Message m) => Fail($"received an unexpected message from {m.Source}");

    /// <inheritdoc />
    protected override void Issue()
    {
        _request.SetInt(0, Remaining);
        var status = SendRec(server, in _request);
        if (status != IpcStatus.Suspended) Fail("sendrec", status);
    }
}

/// <summary>IPC1 server: takes each message in its implicit receive (ANY) and sends it back to its source.</summary>
public sealed class EchoSendServer(int slot, RoundSignal signal) : EndpointActor(slot)
{
    /// <summary>Props for a server bound to system slot <paramref name="slot"/>.</summary>
    public static Props Props(int slot, RoundSignal signal, string? dispatcher = null) =>
        Akka.Actor.Props.Create(() => new EchoSendServer(slot, signal)).On(dispatcher);

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        // Ok when the client already waits in its receive, Suspended (outcome in OnSendDone) when it does not yet.
        var status = Send(m.Source, in m);
        if (status is not (IpcStatus.Ok or IpcStatus.Suspended)) signal.Fail(BenchProps.Unexpected(nameof(EchoSendServer), "send", status, LastError));
    }

    /// <inheritdoc />
    protected override void OnSendDone(IpcStatus status)
    {
        if (status != IpcStatus.Ok) signal.Fail(BenchProps.Unexpected(nameof(EchoSendServer), "send (completed)", status, LastError));
    }
}

/// <summary>
/// IPC1 client: send to the server, then an implicit receive narrowed to the server (ReceiveFrom); the server's
/// message arrives in OnMessage and starts the next round trip.
/// </summary>
public sealed class SendReceiveClient(int slot, Endpoint server, RoundSignal signal) : RoundClient(slot, signal)
{
    private Message _request = new(1);

    /// <summary>Props for a client bound to system slot <paramref name="slot"/>.</summary>
    public static Props Props(int slot, Endpoint server, RoundSignal signal, string? dispatcher = null) =>
        Akka.Actor.Props.Create(() => new SendReceiveClient(slot, server, signal)).On(dispatcher);

    /// <inheritdoc />
    protected override void OnSendDone(IpcStatus status)
    {
        // The outcome of a send that had to wait; the receive filter is set only now, because an outcome's delivery
        // resets it to ANY.
        if (status == IpcStatus.Ok) ReceiveFrom(server);
        else Fail("send (completed)", status);
    }

    /// <inheritdoc />
    protected override void OnMessage(in Message m) => Next();

    /// <inheritdoc />
    protected override void Issue()
    {
        _request.SetInt(0, Remaining);
        var status = Send(server, in _request);
        if (status == IpcStatus.Ok) ReceiveFrom(server);
        else if (status != IpcStatus.Suspended) Fail("send", status);
    }
}

/// <summary>IPC3 server: takes each notification in its implicit receive (ANY) and notifies its source back.</summary>
public sealed class NotifyServer(int slot, RoundSignal signal) : EndpointActor(slot)
{
    /// <summary>Props for a server bound to system slot <paramref name="slot"/>.</summary>
    public static Props Props(int slot, RoundSignal signal, string? dispatcher = null) =>
        Akka.Actor.Props.Create(() => new NotifyServer(slot, signal)).On(dispatcher);

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        if (!m.IsNotify)
        {
            signal.Fail($"{nameof(NotifyServer)} received a message that is not a notification from {m.Source}");
            return;
        }
        var status = Notify(m.Source);
        if (status != IpcStatus.Ok) signal.Fail(BenchProps.Unexpected(nameof(NotifyServer), "notify", status, LastError));
    }
}

/// <summary>IPC3 client: notify the server, then an implicit receive narrowed to the server, whose notification
/// arrives in OnMessage and starts the next round trip.</summary>
public sealed class NotifyClient(int slot, Endpoint server, RoundSignal signal) : RoundClient(slot, signal)
{
    /// <summary>Props for a client bound to system slot <paramref name="slot"/>.</summary>
    public static Props Props(int slot, Endpoint server, RoundSignal signal, string? dispatcher = null) =>
        Akka.Actor.Props.Create(() => new NotifyClient(slot, server, signal)).On(dispatcher);

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        if (!m.IsNotify) Fail($"received a message that is not a notification from {m.Source}");
        else Next();
    }

    /// <inheritdoc />
    protected override void Issue()
    {
        var status = Notify(server);
        if (status == IpcStatus.Ok) ReceiveFrom(server);
        else Fail("notify", status);
    }
}

/// <summary>Registers <see cref="Region"/> as a vcopy buffer and answers with its id (COPY setup).</summary>
public sealed record RegisterRegion(Memory<byte> Region, BufferAccess Access, TaskCompletionSource<int> Id);

/// <summary>
/// A copy party: an endpoint actor that only registers buffers and otherwise sits in its implicit receive, which is
/// the blocked state vcopy requires of every party other than the requester.
/// </summary>
public sealed class BufferOwner(int slot) : EndpointActor(slot)
{
    /// <summary>Props for a buffer owner bound to system slot <paramref name="slot"/>.</summary>
    public static Props Props(int slot, string? dispatcher = null) =>
        Akka.Actor.Props.Create(() => new BufferOwner(slot)).On(dispatcher);

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        if (message is not RegisterRegion register)
        {
            Unhandled(message);
            return;
        }
        try
        {
            register.Id.TrySetResult(RegisterBuffer(register.Region, register.Access));
        }
        catch (Exception e)
        {
            register.Id.TrySetException(e);
        }
    }

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        // Nobody sends to a buffer owner in the COPY benchmarks.
    }
}
