namespace M3Actors.Examples.Demo;

/// <summary>
/// A "pm"-like name server on a well-known system slot: servers register a name, clients look it up. It trusts only
/// <see cref="Message.Source"/>, which the kernel overwrites with the true sender, so nobody can register a name for
/// someone else's endpoint.
/// </summary>
public sealed class PmServer() : EndpointActor(Protocol.PmSlot)
{
    private readonly Dictionary<string, Endpoint> _names = new();

    protected override void OnMessage(in Message m)
    {
        var reply = new Message((int)IpcStatus.Ok);
        switch (m.Type)
        {
            case Protocol.PmRegister:
                _names[m.GetText()] = m.Source;
                break;
            case Protocol.PmLookup when _names.TryGetValue(m.GetText(), out var found):
                reply.SetInt(0, found.Value);
                break;
            case Protocol.PmLookup:
                reply.Type = Protocol.NotFound;
                break;
            default:
                reply.Type = (int)IpcStatus.BadSrcDst;
                break;
        }
        // Every request here comes by sendrec, so reply (which never blocks) is the right answer; a caller that used
        // a plain send gets nothing, as in Minix.
        Reply(m.Source, in reply);
    }
}
