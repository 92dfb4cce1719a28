using BenchmarkDotNet.Loggers;

namespace M3Actors.Perf.Harness;

/// <summary>
/// The console logger of <c>specs</c> runs: only BenchmarkDotNet's errors reach stderr, so the console shows
/// progress and spec lines; the complete log still goes to BenchmarkDotNet's log file under artifacts/perf.
/// </summary>
public sealed class ErrorLogger : ILogger
{
    private bool _inErrorLine;

    /// <inheritdoc />
    public string Id => nameof(ErrorLogger);

    /// <inheritdoc />
    public int Priority => 0;

    /// <inheritdoc />
    public void Write(LogKind logKind, string text)
    {
        _inErrorLine = logKind == LogKind.Error;
        if (_inErrorLine)
        {
            Console.Error.Write(text);
        }
    }

    /// <inheritdoc />
    public void WriteLine()
    {
        if (_inErrorLine)
        {
            Console.Error.WriteLine();
        }
        _inErrorLine = false;
    }

    /// <inheritdoc />
    public void WriteLine(LogKind logKind, string text)
    {
        if (logKind == LogKind.Error)
        {
            Console.Error.WriteLine(text);
        }
        _inErrorLine = false;
    }

    /// <inheritdoc />
    public void Flush() => Console.Error.Flush();
}
