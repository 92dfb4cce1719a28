namespace M3Actors.Kernel;

/// <summary>
/// Owners to wake once the kernel's locks are released. A primitive wakes at most two procs, so the common path stays on
/// the stack; only unbind, which may release many, spills into a list.
/// </summary>
internal struct Wakeups
{
    private Proc? _first;
    private bool _firstCompleted;
    private Proc? _second;
    private bool _secondCompleted;
    private List<(Proc Proc, bool Completed)>? _more;

    internal void Completed(Proc p) => Add(p, true);

    internal void Pending(Proc p) => Add(p, false);

    internal readonly void Run()
    {
        if (_first is not null) Wake(_first, _firstCompleted);
        if (_second is not null) Wake(_second, _secondCompleted);
        if (_more is null) return;
        foreach (var (p, completed) in _more) Wake(p, completed);
    }

    private static void Wake(Proc p, bool completed)
    {
        if (completed) p.Port.Completed();
        else p.Port.Pending();
    }

    private void Add(Proc p, bool completed)
    {
        p.WorkHint = true;
        if (_first is null) (_first, _firstCompleted) = (p, completed);
        else if (_second is null) (_second, _secondCompleted) = (p, completed);
        else (_more ??= []).Add((p, completed));
    }
}
