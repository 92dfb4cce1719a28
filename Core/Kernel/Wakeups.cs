using System.Runtime.ExceptionServices;

namespace M3Actors.Kernel;

/// <summary>
/// Owners to wake once the kernel's locks are released. A primitive wakes at most two procs, so the common path stays on
/// the stack; only unbind, which may release many, spills into a list. A primitive's caller whose port collects
/// wakeups (<see cref="IWakeCollector"/>: an actor inside a handler) may hold them to issue later.
/// </summary>
internal struct Wakeups
{
    private readonly IWakeCollector? _collector;
    private Proc? _first;
    private bool _firstCompleted;
    private Proc? _second;
    private bool _secondCompleted;
    private List<(Proc Proc, bool Completed)>? _more;

    /// <summary>The wakeups of a primitive <paramref name="caller"/> called.</summary>
    internal Wakeups(Proc caller) => _collector = caller.Port as IWakeCollector;

    internal void Completed(Proc p) => Add(p, true);

    internal void Pending(Proc p) => Add(p, false);

    /// <summary>
    /// Wakes every owner, even when a port throws: an owner left unwoken would wait forever. The exceptions are
    /// rethrown after the last wakeup (one as itself, several as an <see cref="AggregateException"/>).
    /// </summary>
    internal readonly void Run()
    {
        List<Exception>? failures = null;
        if (_first is not null) Wake(_first, _firstCompleted, _collector, ref failures);
        if (_second is not null) Wake(_second, _secondCompleted, _collector, ref failures);
        if (_more is not null)
            foreach (var (p, completed) in _more) Wake(p, completed, _collector, ref failures);
        if (failures is null) return;
        if (failures.Count == 1) ExceptionDispatchInfo.Throw(failures[0]);
        throw new AggregateException("several endpoint ports failed while being woken", failures);
    }

    private static void Wake(Proc p, bool completed, IWakeCollector? collector, ref List<Exception>? failures)
    {
        try
        {
            if (collector is not null && collector.TryCollect(p.Port)) return;
            if (completed) p.Port.Completed();
            else p.Port.Pending();
        }
        catch (Exception e)
        {
            (failures ??= []).Add(e);
        }
    }

    private void Add(Proc p, bool completed)
    {
        p.WorkHint = true;
        if (_first is null) (_first, _firstCompleted) = (p, completed);
        else if (_second is null) (_second, _secondCompleted) = (p, completed);
        else (_more ??= []).Add((p, completed));
    }
}
