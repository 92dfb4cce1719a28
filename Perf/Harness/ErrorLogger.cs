using System.Text;
using BenchmarkDotNet.Loggers;

namespace M3Actors.Perf.Harness;

/// <summary>
/// The console logger of <c>specs</c> runs: only BenchmarkDotNet's errors reach stderr, so the console shows
/// progress and spec lines; the complete log still goes to BenchmarkDotNet's log file under artifacts/perf.
/// It also keeps the error lines of the case under way, from which <see cref="FailureReason"/> names why a case
/// failed: in process, BenchmarkDotNet reports every failed launch as "Executable … not found", which hides the
/// benchmark's own exception two lines above it.
/// </summary>
public sealed class ErrorLogger : ILogger
{
    private readonly List<string> _caseErrors = [];
    private readonly StringBuilder _line = new();
    private bool _inErrorLine;

    /// <inheritdoc />
    public string Id => nameof(ErrorLogger);

    /// <inheritdoc />
    public int Priority => 0;

    /// <summary>Forgets the error lines kept so far: a new case starts.</summary>
    public void StartCase()
    {
        _caseErrors.Clear();
        _line.Clear();
    }

    /// <summary>
    /// Why the case under way failed: the innermost exception BenchmarkDotNet logged (the <c>---&gt;</c> line of an
    /// exception's text), else its first error line that is not the in-process "Executable … not found" or "ExitCode"
    /// boilerplate; null when nothing was logged.
    /// </summary>
    public string? FailureReason()
    {
        var lines = _caseErrors.Select(line => line.Trim().TrimStart('/', '!', ' ')).Where(line => line.Length > 0).ToList();
        var inner = lines.LastOrDefault(line => line.StartsWith("--->", StringComparison.Ordinal));
        return inner?.TrimStart('-', '>', ' ')
            ?? lines.FirstOrDefault(line => !line.StartsWith("Executable ", StringComparison.Ordinal)
                && !line.StartsWith("ExitCode", StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public void Write(LogKind logKind, string text)
    {
        _inErrorLine = logKind == LogKind.Error;
        if (_inErrorLine)
        {
            Console.Error.Write(text);
            _line.Append(text);
        }
    }

    /// <inheritdoc />
    public void WriteLine()
    {
        if (_inErrorLine)
        {
            Console.Error.WriteLine();
            KeepLine();
        }
        _inErrorLine = false;
    }

    /// <inheritdoc />
    public void WriteLine(LogKind logKind, string text)
    {
        if (logKind == LogKind.Error)
        {
            Console.Error.WriteLine(text);
            _line.Append(text);
            KeepLine();
        }
        _inErrorLine = false;
    }

    /// <inheritdoc />
    public void Flush() => Console.Error.Flush();

    // An exception's text arrives as one multi-line error: keep each of its lines.
    private void KeepLine()
    {
        _caseErrors.AddRange(_line.ToString().Split('\n'));
        _line.Clear();
    }
}
