using M3Actors.ClusterBridge.Frames;

namespace M3Actors.ClusterBridge.Proxies;

/// <summary>
/// The sendnb under way from one local endpoint to a ghost of one peer node: whether the destination is receiving
/// from the caller is known only on the owner node, so the caller waits for that node's ACK (one round trip). One
/// per caller and peer, reused (an endpoint makes one call at a time), so a sendnb allocates no waiter. Its
/// correlation ids are negative, apart from the caller's call sequences (which its sends and sendrecs use), so an
/// answer to one can never be taken for the other.
/// </summary>
internal sealed class SendNbWait
{
    private readonly object _gate = new();
    private long _last;
    private long _current;      // the correlation id of the sendnb under way; 0 when none
    private IpcStatus _status;
    private bool _answered;

    /// <summary>Starts a sendnb: returns its correlation id, for its frame.</summary>
    internal long Begin()
    {
        lock (_gate)
        {
            _current = --_last;
            _answered = false;
            return _current;
        }
    }

    /// <summary>
    /// The answer to sendnb <paramref name="correlation"/>: false when that sendnb is no longer under way (it ended
    /// with NotConnected meanwhile), so the caller of this method knows the ACK was not one of ours.
    /// </summary>
    internal bool Answer(long correlation, IpcStatus status)
    {
        lock (_gate)
        {
            if (_current == 0 || _current != correlation) return false;
            _current = 0;
            _status = status;
            _answered = true;
            Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>Ends the sendnb under way, if any, with <paramref name="status"/> (the peer is lost, the VM ends).</summary>
    internal void Fail(IpcStatus status)
    {
        lock (_gate)
            if (_current != 0) Answer(_current, status);
    }

    /// <summary>Blocks until the sendnb begun last is answered or failed; returns its status.</summary>
    internal IpcStatus Wait()
    {
        lock (_gate)
        {
            while (!_answered) Monitor.Wait(_gate);
            return _status;
        }
    }

    /// <summary>True when <paramref name="frame"/> is an ACK to a sendnb (negative correlation ids).</summary>
    internal static bool IsSendNbAnswer(in IpcFrame frame) => frame.Kind == FrameKind.Ack && frame.Correlation < 0;
}
