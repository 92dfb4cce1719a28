namespace M3Actors.Perf.Peers.Processes;

/// <summary>The parent's end of one pair: writes a 64-byte request, blocks for the 64-byte reply.</summary>
public sealed class StreamLink(Stream requests, Stream replies) : IDisposable
{
    private Payload64 _request = Payload64.Pattern();
    private Payload64 _reply;

    /// <summary>Does <paramref name="count"/> round trips; the peer dying shows up as an end-of-stream error.</summary>
    public void RoundTrips(int count)
    {
        var request = Payload64.AsBytes(ref _request);
        var reply = Payload64.AsBytes(ref _reply);
        for (var i = 0; i < count; i++)
        {
            requests.Write(request);
            replies.ReadExactly(reply);
        }
    }

    /// <summary>Closes both directions, which ends the peer's echo thread for this pair.</summary>
    public void Dispose()
    {
        requests.Dispose();
        replies.Dispose();
    }
}
