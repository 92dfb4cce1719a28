using System.Globalization;
using M3Actors.Kernel;
using M3Actors.Transport.Arena;
using M3Actors.Transport.Native;
using M3Actors.Transport.Processes;
using M3Actors.Transport.Sync;

namespace M3Actors.TransportHost;

/// <summary>
/// The scripted side of a transport test: attach to an arena, take and release its lock words, wait on and wake
/// its futex words (word 0 of a slot record), report deaths it reaped, bind and unbind endpoints with a kernel over
/// the arena's slot records. Each command prints one reply line; a death this process reaps prints
/// <c>died &lt;index&gt; &lt;pid&gt;</c> whenever it happens.
/// </summary>
internal sealed class HostSession(TextWriter output) : IDisposable
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private const int SystemSlots = 16;
    private Arena? _arena;
    private int _reaped;
    private IpcKernel? _kernel;
    private readonly Dictionary<int, Proc> _bound = [];
    private VmSession? _vm;
    private FaultSession? _fault;
    private LiteSession? _lite;

    /// <summary>Runs one command line and prints its reply.</summary>
    public void Run(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            if (words[0] == "vm")
            {
                if ((_vm ??= new VmSession(Reply)).Run(words) is { } answer) Reply(answer);
                return;
            }
            if (words[0] == "lite")
            {
                if ((_lite ??= new LiteSession(Reply)).Run(words) is { } answer) Reply(answer);
                return;
            }
            if (words[0] == "fault")
            {
                if ((_fault ??= new FaultSession(Reply)).Run(words) is { } answer) Reply(answer);
                return;
            }
            Reply(words[0] switch
            {
                "attach" => Attach(words),
                "lock" => $"lock {SharedLock.Acquire(ref Word(words[1]), Arena.OwnerTag, Arena.Processes,
                    Arena.SpinGate, LockTimeout)}",
                "unlock" => Unlock(words[1]),
                "futexwait" => $"waited {Futex.Wait(ref Word(words[1]), Int(words[2]), Ms(words[3]))}",
                "wakeuntil" => $"woke {WakeUntil(words[1], Ms(words[2]))}",
                "set" => Set(words[1], words[2]),
                "setwake" => SetWake(words[1], words[2]),
                "reaped" => $"reaped {Volatile.Read(ref _reaped)}",
                "lockloop" => LockLoop(words[1]),
                "bind" => Bind(words[1], words[2]),
                "unbind" => Unbind(words[1]),
                "leave" => Leave(),
                _ => throw new ArgumentException($"unknown command '{words[0]}'"),
            });
        }
        catch (ArenaException e)
        {
            Reply($"error {e.Reason} {e.Message}");
        }
        catch (IpcException e)
        {
            Reply($"error {e.Status} {e.Message}");
        }
    }

    /// <summary>Ends the shared VM and leaves the arena if still attached.</summary>
    public void Dispose()
    {
        _vm?.Dispose();
        _fault?.Dispose();
        _lite?.Dispose();
        _arena?.Dispose();
    }

    private Arena Arena => _arena ?? throw new InvalidOperationException("not attached");

    private string Attach(string[] words)
    {
        var options = new ArenaOptions
        {
            Directory = words[1], DrvsId = Int(words[2]), VmId = Int(words[3]), VmName = words[4],
            Layout = ArenaLayout.Default with { ProcessTableSize = Int(words[5]) },
        };
        _arena = Arena.Attach(options, OnDeath);
        return $"attached {_arena.ProcessIndex} {_arena.OwnerTag}";
    }

    private void OnDeath(DeadProcess dead)
    {
        Interlocked.Increment(ref _reaped);
        Reply($"died {dead.Index} {dead.Pid}");
    }

    private string Unlock(string slot)
    {
        SharedLock.Release(ref Word(slot), Arena.OwnerTag);
        return "unlocked";
    }

    private string Set(string slot, string value)
    {
        Volatile.Write(ref Word(slot), Int(value));
        return "set";
    }

    private string SetWake(string slot, string value)
    {
        Volatile.Write(ref Word(slot), Int(value));
        return $"woke {SharedWait.Wake(ref Word(slot), int.MaxValue)}";
    }

    /// <summary>
    /// Starts a thread that takes and releases lock word 0 of the slot forever, marking word 1 while inside and
    /// counting in word 2; a lock taken over from a dead owner is repaired (word 1 cleared) first. Two owners
    /// inside at once would be a broken lock: the process then exits with code 3.
    /// </summary>
    private string LockLoop(string slot)
    {
        var arena = Arena;
        var s = Int(slot);
        new Thread(() =>
        {
            while (true)
            {
                var result = SharedLock.Acquire(ref arena.SlotWord(s, 0), arena.OwnerTag, arena.Processes,
                    arena.SpinGate, LockTimeout);
                if (result == LockResult.TimedOut) Environment.Exit(2);
                if (result == LockResult.OwnerDied) Volatile.Write(ref arena.SlotWord(s, 1), 0);
                if (Interlocked.Exchange(ref arena.SlotWord(s, 1), 1) != 0) Environment.Exit(3);
                Interlocked.Increment(ref arena.SlotWord(s, 2));
                Volatile.Write(ref arena.SlotWord(s, 1), 0);
                SharedLock.Release(ref arena.SlotWord(s, 0), arena.OwnerTag);
            }
        }) { IsBackground = true }.Start();
        return "looping";
    }

    /// <summary>
    /// Binds a thread endpoint at the slot with a kernel over the arena's slot records (made at the first bind):
    /// the record is written in the shared mapping, where the test process reads it.
    /// </summary>
    private string Bind(string slot, string owner)
    {
        var slots = Arena.Layout.SlotCount;
        _kernel ??= new IpcKernel(SystemSlots, slots - SystemSlots, _ => Privileges.Full, 1 << 20,
            Arena.SlotRegion(slots));
        var proc = _kernel.Bind(Int(slot), new PrintingPort(Int(slot), Reply), OwnerKind.Thread, owner);
        _bound[proc.Slot] = proc;
        return $"bound {proc.Ep.Value}";
    }

    private string Unbind(string slot)
    {
        if (!_bound.Remove(Int(slot), out var proc)) throw new ArgumentException($"slot {slot} is not bound here");
        _kernel!.Unbind(proc, IpcStatus.NotBound);
        return "unbound";
    }

    private string Leave()
    {
        _kernel = null;         // it reads the mapping that leaving unmaps
        _bound.Clear();
        Arena.Dispose();
        _arena = null;
        return "left";
    }

    /// <summary>Wakes until one waiter was actually woken (the other process may not have parked yet).</summary>
    private int WakeUntil(string slot, TimeSpan patience)
    {
        var deadline = Deadline.After(patience);
        var spin = new SpinWait();
        while (deadline.Left > TimeSpan.Zero)
        {
            var woken = Futex.Wake(ref Word(slot), 1);
            if (woken > 0) return woken;
            spin.SpinOnce();
        }
        return 0;
    }

    private ref int Word(string slot) => ref Arena.SlotWord(Int(slot), 0);

    private void Reply(string line)
    {
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static TimeSpan Ms(string text) => TimeSpan.FromMilliseconds(Int(text));
}
