using System.Collections.Concurrent;

namespace M3Actors.Examples.Minix;

/// <summary>What the shells saw, summed over all of them: the "terminal" the minix command reads at the end.</summary>
public sealed class ShellTally
{
    private const int KeptFailures = 20;
    private readonly ConcurrentQueue<string> _failures = new();
    private long _ops, _failed, _bytesChecked, _bytesWrong;

    /// <summary>System calls made.</summary>
    public long Ops => Interlocked.Read(ref _ops);

    /// <summary>System calls that returned an error or a wrong result, as the shells saw them.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Bytes read back and compared with what was written.</summary>
    public long BytesChecked => Interlocked.Read(ref _bytesChecked);

    /// <summary>Bytes read back that differed from what was written.</summary>
    public long BytesWrong => Interlocked.Read(ref _bytesWrong);

    /// <summary>The first failures, described.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    internal void Op() => Interlocked.Increment(ref _ops);

    internal void Checked(int bytes, int wrong)
    {
        Interlocked.Add(ref _bytesChecked, bytes);
        Interlocked.Add(ref _bytesWrong, wrong);
    }

    internal void Fail(string what)
    {
        Interlocked.Increment(ref _failed);
        if (_failures.Count < KeptFailures) _failures.Enqueue(what);
    }
}
