using Akka.Actor;
using Akka.Event;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>A user program: runs on the process's endpoint, returns its exit status; the token is PM's kill.</summary>
public delegate Task<int> UserProgram(EndpointHandle me, string[] argv, CancellationToken kill);

/// <summary>
/// PM, the process manager. PM_EXEC starts a user process: a task owning a fresh endpoint on a user slot (the
/// fork gives it a proc slot, the exec runs the program named by the command line) and answers with that endpoint.
/// PM_WAITPID is a deferred reply: the waiter stays in its sendrec until the process exits. PM_KILL cancels the
/// program. A process's endpoint is unbound when its program ends, before anyone is told of the exit.
/// </summary>
public sealed class PmServer(IReadOnlyDictionary<string, UserProgram> programs) : EndpointActor(PmSlot)
{
    private readonly Dictionary<Endpoint, CancellationTokenSource> _running = [];
    private readonly Dictionary<Endpoint, List<Endpoint>> _waiters = [];
    private readonly Dictionary<Endpoint, int> _zombies = [];    // exited, status not yet collected

    private sealed record Exited(Endpoint Process, int Status, Exception? Error);

    /// <inheritdoc />
    protected override void OnMessage(in Message m)
    {
        if (m.IsNotify) return;
        var process = new Endpoint(m.GetInt(0));
        switch (m.Type)
        {
            case PmExec:
                Exec(m.Source, m.GetText());
                break;
            case PmWaitPid when _zombies.Remove(process, out var status):
                Reply(m.Source, Answer(Ok, status));
                break;
            case PmWaitPid when _running.ContainsKey(process):
                // No reply now: the caller stays blocked in its sendrec until the process exits (see Exited).
                if (!_waiters.TryGetValue(process, out var waiting)) _waiters[process] = waiting = [];
                waiting.Add(m.Source);
                break;
            case PmKill when _running.TryGetValue(process, out var kill):
                kill.Cancel();
                Reply(m.Source, Answer(Ok));
                break;
            case PmWaitPid or PmKill:
                Reply(m.Source, Answer(NoChild));
                break;
            default:
                Reply(m.Source, Answer(NoSys));
                break;
        }
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        if (message is not Exited { Process: var process, Status: var status, Error: var error })
        {
            Unhandled(message);
            return;
        }
        if (error is not null) Context.GetLogger().Error(error, "process {0} crashed, exit {1}", process, status);
        if (_running.Remove(process, out var kill)) kill.Dispose();
        if (!_waiters.Remove(process, out var waiting)) _zombies[process] = status;
        else foreach (var waiter in waiting) Reply(waiter, Answer(Ok, status));
    }

    private void Exec(Endpoint caller, string commandLine)
    {
        var argv = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (argv.Length == 0 || !programs.TryGetValue(argv[0], out var program))
        {
            Reply(caller, Answer(NoEntry));
            return;
        }
        EndpointHandle process;
        try
        {
            process = Vm.Bind(owner: commandLine);
        }
        catch (IpcException e)
        {
            Reply(caller, Answer((int)e.Status));      // no free user slot (Busy), or the VM is ending
            return;
        }
        var kill = CancellationTokenSource.CreateLinkedTokenSource(Vm.Ending);
        _running[process.Endpoint] = kill;
        var pm = Self;
        _ = Task.Run(() => RunAsync(process, program, argv, kill.Token, pm));
        Reply(caller, Answer(Ok, process.Endpoint.Value));
    }

    // Runs on the thread pool, never on PM's actor: the program's status (or its crash) comes back as an Akka message.
    private static async Task RunAsync(
        EndpointHandle process, UserProgram program, string[] argv, CancellationToken kill, IActorRef pm)
    {
        var endpoint = process.Endpoint;
        var (status, error) = (ExitCrashed, (Exception?)null);
        try
        {
            using (process) status = await program(process, argv, kill);
        }
        catch (OperationCanceledException) when (kill.IsCancellationRequested)
        {
            status = ExitKilled;
        }
        catch (Exception e)
        {
            error = e;
        }
        pm.Tell(new Exited(endpoint, status, error));
    }
}
