using System.Diagnostics;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>
/// The shell: a user program (command line <c>sh client [milliseconds]</c>) that runs rounds of a script of file
/// operations until its stop token is cancelled (or, given milliseconds, until that long has passed). A round, for
/// each of its three files: create and write it in random-sized pieces, read it back in other random pieces
/// checking every byte, stat it; then list the directory, and now and then sleep on the clock.
/// Every call's result is checked; anything unexpected is a failure in the <see cref="ShellTally"/>. Exit status 0
/// when this shell saw no failure, 1 otherwise.
/// </summary>
public sealed class Shell
{
    private const int Files = 3;
    private readonly Libc _libc;
    private readonly ShellTally _tally;
    private readonly Random _random;
    private readonly int _client;
    private bool _failed;

    private Shell(Libc libc, ShellTally tally, int client)
    {
        (_libc, _tally, _client) = (libc, tally, client);
        _random = new Random(client * 7919 + 17);      // a fixed script per client: a failure can be replayed
    }

    /// <summary>
    /// The program PM runs for "sh": one shell per process, counting into <paramref name="tally"/>. Each call waits
    /// at most <paramref name="patience"/>. <paramref name="stop"/> ends the script after the round in progress
    /// (never in the middle of a call, which would abandon it); every shell runs at least one round.
    /// </summary>
    public static UserProgram Program(ShellTally tally, TimeSpan patience, CancellationToken stop = default) =>
        async (me, argv, kill) =>
    {
        var ms = 0;
        if (argv.Length is < 2 or > 3 || !int.TryParse(argv[1], out var client)
            || (argv.Length == 3 && !int.TryParse(argv[2], out ms)))
            throw new ArgumentException($"usage: sh <client> [milliseconds], got '{string.Join(' ', argv)}'");
        var shell = new Shell(new Libc(me, 4096, patience, kill), tally, client);
        await shell.RunAsync(argv.Length == 3 ? TimeSpan.FromMilliseconds(ms) : Timeout.InfiniteTimeSpan, stop);
        return shell._failed ? 1 : 0;
    };

    /// <summary>The byte a shell writes at <paramref name="position"/> of version <paramref name="key"/>.</summary>
    public static byte PatternAt(int key, int position) =>
        unchecked((byte)((uint)(key * 31 + position) * 2654435761u >> 24));

    private async Task RunAsync(TimeSpan budget, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        bool More() => !stop.IsCancellationRequested && (budget < TimeSpan.Zero || clock.Elapsed < budget);
        for (var round = 0; round == 0 || More(); round++)
        {
            for (var f = 0; f < Files; f++)
            {
                var (name, key) = ($"c{_client}.f{f}", (_client * Files + f) * 100_003 + round);
                var size = _random.Next(1, 4 * BlockSize + 300);
                if (await WriteFileAsync(name, key, size) && await ReadBackAsync(name, key, size))
                    Expect(await _libc.StatAsync(name), size, $"stat {name}");
            }
            var (status, names) = await _libc.ListAsync();
            Expect(status, Ok, "getdents");
            for (var f = 0; f < Files && status == Ok; f++)
                if (!names.Contains($"c{_client}.f{f}")) Fail($"getdents lacks c{_client}.f{f}");
            if (round % 4 == 3) Expect(await _libc.SleepAsync(_random.Next(1, 4)), Ok, "sleep");
        }
    }

    private async Task<bool> WriteFileAsync(string name, int key, int size)
    {
        var fd = await _libc.OpenAsync(name, OCreat | OTrunc);
        if (!Expect(fd, fd >= 0 ? fd : Ok, $"open {name} for writing")) return false;
        var ok = true;
        for (var at = 0; at < size && ok;)
        {
            var chunk = Math.Min(size - at, _random.Next(1, _libc.Memory.Length + 1));
            for (var i = 0; i < chunk; i++) _libc.Memory[i] = PatternAt(key, at + i);
            ok = Expect(await _libc.WriteAsync(fd, chunk), chunk, $"write {name} at {at}");
            at += chunk;
        }
        return Expect(await _libc.CloseAsync(fd), Ok, $"close {name}") && ok;
    }

    private async Task<bool> ReadBackAsync(string name, int key, int size)
    {
        var fd = await _libc.OpenAsync(name, 0);
        if (!Expect(fd, fd >= 0 ? fd : Ok, $"open {name} for reading")) return false;
        var ok = true;
        for (var at = 0; at <= size && ok;)
        {
            // One read past the end too: it must return 0.
            var chunk = _random.Next(1, _libc.Memory.Length + 1);
            var expected = Math.Min(chunk, size - at);
            ok = Expect(await _libc.ReadAsync(fd, chunk), expected, $"read {name} at {at}");
            if (expected == 0) break;
            var wrong = 0;
            for (var i = 0; i < expected && ok; i++) wrong += _libc.Memory[i] == PatternAt(key, at + i) ? 0 : 1;
            _tally.Checked(ok ? expected : 0, wrong);
            if (wrong > 0) ok = Fail($"read {name} at {at}: {wrong} of {expected} bytes wrong");
            at += expected;
        }
        return Expect(await _libc.CloseAsync(fd), Ok, $"close {name}") && ok;
    }

    private bool Expect(int result, int expected, string what)
    {
        _tally.Op();
        var got = result >= 0 ? $"{result}, expected {expected}" : Describe(result);
        return result == expected || Fail($"{what}: {got}");
    }

    private bool Fail(string what)
    {
        _failed = true;
        _tally.Fail($"sh {_client}: {what}");
        return false;
    }
}
