using Akka.Actor;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>
/// The clock: SYS_SETALARM by sendrec answers at once and arms an alarm; when it fires the clock notifies the
/// caller. A process sleeps by setting an alarm and receiving from the clock — notify never blocks the clock, and
/// carries no payload, so nothing is lost if the sleeper is busy: its pending bit waits for its next receive. One
/// alarm per process, as in Minix: a new one replaces the old.
/// </summary>
public sealed class ClockServer() : EndpointActor(ClockSlot)
{
    private readonly Dictionary<Endpoint, (long Id, ICancelable Timer)> _alarms = [];
    private long _nextId;

    private sealed record Alarm(Endpoint Owner, long Id);

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        if (m.IsNotify) return;
        var milliseconds = m.GetInt(0);
        if (m.Type != SysSetAlarm || milliseconds < 0)
        {
            Reply(m.Source, Answer(m.Type != SysSetAlarm ? NoSys : Invalid));
            return;
        }
        if (_alarms.Remove(m.Source, out var old)) old.Timer.Cancel();
        var id = ++_nextId;
        _alarms[m.Source] = (id, Context.System.Scheduler.ScheduleTellOnceCancelable(
            TimeSpan.FromMilliseconds(milliseconds), Self, new Alarm(m.Source, id), Self));
        Reply(m.Source, Answer(Ok));
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        if (message is not Alarm { Owner: var owner, Id: var id })
        {
            Unhandled(message);
            return;
        }
        // An alarm already queued when its owner replaced it is not the owner's alarm any more.
        if (!_alarms.TryGetValue(owner, out var current) || current.Id != id) return;
        _alarms.Remove(owner);
        // A process that ended meanwhile has a stale endpoint: the notify fails with BadEndpoint or DeadSrcDst and
        // never reaches whoever owns the slot now — the point of endpoint generations.
        Notify(owner);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        foreach (var alarm in _alarms.Values) alarm.Timer.Cancel();
        base.PostStop();
    }
}
