using Xunit;

namespace M3Actors.TestKit;

/// <summary>
/// A thread endpoint for tests, in the spirit of Akka's <c>TestProbe</c>: it records every message it takes and
/// fails the test (an xunit assertion) with the status and the kernel's reason when an expected call does not succeed
/// in time. Its calls block the calling thread; <see cref="ServeAsync"/> answers scripted replies on a thread of its
/// own. One call may be under way at a time, as on any endpoint. Disposing it unbinds the endpoint.
/// </summary>
public sealed class ProbeEndpoint : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Message> _received = [];

    private ProbeEndpoint(EndpointHandle handle, TimeSpan timeout)
    {
        Handle = handle;
        Timeout = timeout;
    }

    /// <summary>The underlying endpoint handle, for calls the probe does not wrap (or to assert an error status).</summary>
    public EndpointHandle Handle { get; }

    /// <summary>This probe's endpoint.</summary>
    public Endpoint Endpoint => Handle.Endpoint;

    /// <summary>How long an expectation waits when it is given no timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Every message the probe took, oldest first (requests, messages, notifications and replies).</summary>
    public IReadOnlyList<Message> Received
    {
        get
        {
            lock (_gate) return _received.ToArray();
        }
    }

    /// <summary>
    /// Binds a probe in <paramref name="vm"/> on <paramref name="slot"/> (a system slot, to stand in for a well-known
    /// server) or a free user slot; <paramref name="timeout"/> (10 s by default) bounds every expectation.
    /// </summary>
    public static ProbeEndpoint Bind(Vm vm, int? slot = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var patience = timeout ?? TimeSpan.FromSeconds(10);
        if (patience <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), patience, "a probe's timeout must be positive");
        return new ProbeEndpoint(vm.Bind(slot, "probe"), patience);
    }

    /// <summary>Receives from <paramref name="from"/> (any source when null) and returns the message.</summary>
    public Message ExpectIpc(Endpoint? from = null, TimeSpan? timeout = null)
    {
        var wait = timeout ?? Timeout;
        var status = Handle.Receive(from ?? Endpoint.Any, out var m, wait);
        Require(status, $"a message from {from?.ToString() ?? "ANY"} within {wait}");
        return Record(m);
    }

    /// <summary>As <see cref="ExpectIpc(Endpoint?, TimeSpan?)"/>, and asserts the message's <see cref="Message.Type"/>.</summary>
    public Message ExpectIpc(int type, Endpoint? from = null, TimeSpan? timeout = null)
    {
        var m = ExpectIpc(from, timeout);
        Assert.True(m.Type == type, $"{this}: expected a message of type {type}, got type {m.Type} from {m.Source}");
        return m;
    }

    /// <summary>Receives a request (rcvrqst: sendrec callers only); answer it with <see cref="Reply"/>.</summary>
    public Message ExpectIpcRequest(TimeSpan? timeout = null)
    {
        var wait = timeout ?? Timeout;
        Require(Handle.RcvRqst(out var m, wait), $"a request within {wait}");
        return Record(m);
    }

    /// <summary>Receives a notification from <paramref name="from"/> (any source when null) and returns its source.</summary>
    public Endpoint ExpectIpcNotify(Endpoint? from = null, TimeSpan? timeout = null)
    {
        var m = ExpectIpc(from, timeout);
        Assert.True(m.IsNotify, $"{this}: expected a notification, got a message of type {m.Type} from {m.Source}");
        return m.Source;
    }

    /// <summary>
    /// sendrec to <paramref name="server"/> and returns the reply; fails unless the server replies within the
    /// timeout.
    /// </summary>
    public Message ExpectIpcReply(Endpoint server, Message request, TimeSpan? timeout = null)
    {
        var wait = timeout ?? Timeout;
        Require(Handle.SendRec(server, ref request, wait), $"a reply from {server} within {wait}");
        return Record(request);
    }

    /// <summary>Asserts that nothing (no message, no notification) arrives from <paramref name="from"/> for <paramref name="duration"/>.</summary>
    public void ExpectNoIpc(TimeSpan duration, Endpoint? from = null)
    {
        var status = Handle.Receive(from ?? Endpoint.Any, out var m, duration);
        if (status == IpcStatus.Ok)
        {
            Record(m);
            Assert.Fail($"{this}: expected no message for {duration}, got type {m.Type} from {m.Source}");
        }
        Assert.True(status == IpcStatus.TimedOut,
            $"{this}: expected no message for {duration}, the receive failed: {Why(status)}");
    }

    /// <summary>Replies to <paramref name="dst"/>, which must be waiting in sendrec for this probe.</summary>
    public void Reply(Endpoint dst, in Message reply) => Require(Handle.Reply(dst, in reply), $"{dst} to take a reply");

    /// <summary>
    /// Serves <paramref name="requests"/> sendrec requests on a thread of its own, answering each with
    /// <paramref name="script"/>(request); completes with the requests, or faults with the failed expectation (each
    /// request waited for at most the timeout). Use it when the probe stands in for a server another endpoint calls.
    /// </summary>
    public Task<IReadOnlyList<Message>> ServeAsync(Func<Message, Message> script, int requests = 1, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requests);
        return Task.Factory.StartNew<IReadOnlyList<Message>>(() =>
        {
            var served = new List<Message>(requests);
            for (var i = 0; i < requests; i++)
            {
                var request = ExpectIpcRequest(timeout);
                served.Add(request);
                Reply(request.Source, script(request));
            }
            return served;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Unbinds the probe's endpoint (partners blocked on it get DstDied / SrcDied).</summary>
    public void Dispose() => Handle.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"probe {Handle}";

    private Message Record(in Message m)
    {
        lock (_gate) _received.Add(m);
        return m;
    }

    private void Require(IpcStatus status, string expected) =>
        Assert.True(status == IpcStatus.Ok, $"{this}: expected {expected}, got {Why(status)}");

    private string Why(IpcStatus status) => $"{status} ({Handle.LastError ?? status.Describe()})";
}
