using Akka.Actor;

namespace M3Actors.Examples.Trace;

/// <summary>
/// The trace scenario's server, an actor on system slot <see cref="Slot"/>: a READ request names a buffer the client
/// registered and a length; the server copies that many bytes of its file into it by vcopy while the client waits in
/// its sendrec, then replies with the status of the copy. Notifications are counted.
/// </summary>
public sealed class TraceFileServer() : EndpointActor(Slot)
{
    /// <summary>The server's well-known system slot.</summary>
    public const int Slot = 3;

    /// <summary>Request: payload int 0 = the client's buffer id, int 1 = bytes to read.</summary>
    public const int Read = 1;

    /// <summary>Reply: payload int 0 = the vcopy's status.</summary>
    public const int ReadDone = 2;

    /// <summary>The file: 256 bytes the client can read.</summary>
    public static readonly byte[] File = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    private int _file;

    /// <summary>Props for the server.</summary>
    public static Props Props() => Akka.Actor.Props.Create(() => new TraceFileServer());

    /// <summary>Notifications received so far.</summary>
    public int Notified { get; private set; }

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        _file = RegisterBuffer(File, BufferAccess.Read);
    }

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        if (m.IsNotify)
        {
            Notified++;
            return;
        }
        var copied = m.Type == Read
            ? VCopy(Endpoint.Self, new BufferAddress(_file), m.Source, new BufferAddress(m.GetInt(0)), m.GetInt(1))
            : IpcStatus.BadRequest;
        var reply = new Message(ReadDone);
        reply.SetInt(0, (int)copied);
        Reply(m.Source, in reply);
    }
}
