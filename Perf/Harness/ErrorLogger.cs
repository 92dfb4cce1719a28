using System.Text;
using BenchmarkDotNet.Loggers;

namespace M3Actors.Perf.Harness;

/// <summary>
/// The console logger of <c>specs</c> runs: only BenchmarkDotNet's errors reach stderr, so the console shows
/// progress and spec lines; the complete log still goes to BenchmarkDotNet's log file under artifacts/perf.
/// It also keeps every line of the case under way, so a failed case can say why: in process, BenchmarkDotNet
/// reports any failed launch as "Executable … not found", and the benchmark's own exception is an ordinary output
/// line of the case (the toolchain logs output for that reason).
/// </summary>
public sealed class ErrorLogger : ILogger
{
    // A case logs a few lines per iteration; its exception comes last. Keep the tail only.
    private const int KeptLines = 400;
    private const int ShownExceptionLines = 40;

    private readonly List<string> _caseLines = [];
    private readonly StringBuilder _line = new();
    private bool _inErrorLine;

    /// <inheritdoc />
    public string Id => nameof(ErrorLogger);

    /// <inheritdoc />
    public int Priority => 0;

    /// <summary>Forgets the lines kept so far: a new case starts.</summary>
    public void StartCase()
    {
        _caseLines.Clear();
        _line.Clear();
    }

    /// <summary>
    /// Why the case under way failed, in one line: the exception the benchmark threw (the first
    /// <c>---&gt; Type: message</c> line, below the reflection wrapper, else the exception's first line), else its
    /// first error line that is not the in-process "Executable … not found" / "ExitCode" boilerplate; null when it
    /// logged neither.
    /// </summary>
    public string? FailureReason()
    {
        var exception = ExceptionLines();
        if (exception.Count > 0)
        {
            return exception.FirstOrDefault(line => line.TrimStart().StartsWith("--->", StringComparison.Ordinal))
                ?.TrimStart(' ', '-', '>') ?? exception[0];
        }
        return _caseLines.Select(line => line.Trim().TrimStart('/', '!', ' '))
            .FirstOrDefault(line => line.Length > 0 && !line.StartsWith("Executable ", StringComparison.Ordinal)
                && !line.StartsWith("ExitCode", StringComparison.Ordinal) && !line.StartsWith("//", StringComparison.Ordinal));
    }

    /// <summary>The exception the case under way logged, without its stack frames (they are in the log file).</summary>
    public IReadOnlyList<string> ExceptionLines()
    {
        var start = _caseLines.FindIndex(IsExceptionLine);
        return start < 0
            ? []
            : _caseLines.Skip(start)
                .Where(line => !line.TrimStart().StartsWith("at ", StringComparison.Ordinal)
                    && !line.TrimStart().StartsWith("--- End of", StringComparison.Ordinal)
                    && line.Trim().Length > 0)
                .Take(ShownExceptionLines)
                .ToList();
    }

    /// <inheritdoc />
    public void Write(LogKind logKind, string text)
    {
        _inErrorLine = logKind == LogKind.Error;
        if (_inErrorLine)
        {
            Console.Error.Write(text);
        }
        _line.Append(text);
    }

    /// <inheritdoc />
    public void WriteLine()
    {
        if (_inErrorLine)
        {
            Console.Error.WriteLine();
        }
        _inErrorLine = false;
        KeepLine();
    }

    /// <inheritdoc />
    public void WriteLine(LogKind logKind, string text)
    {
        if (logKind == LogKind.Error)
        {
            Console.Error.WriteLine(text);
        }
        _inErrorLine = false;
        _line.Append(text);
        KeepLine();
    }

    /// <inheritdoc />
    public void Flush() => Console.Error.Flush();

    // "System.TimeoutException: …", "// ! InProcessEmitExecutor, exception: …", and the like.
    private static bool IsExceptionLine(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && (line.AsSpan(0, colon).EndsWith("Exception", StringComparison.Ordinal)
            || line.Contains("exception: ", StringComparison.Ordinal));
    }

    // A multi-line text (an exception) arrives as one line: keep each of its lines.
    private void KeepLine()
    {
        _caseLines.AddRange(_line.ToString().Split('\n').Select(line => line.TrimEnd('\r')));
        _line.Clear();
        if (_caseLines.Count > KeptLines)
        {
            _caseLines.RemoveRange(0, _caseLines.Count - KeptLines);
        }
    }
}
