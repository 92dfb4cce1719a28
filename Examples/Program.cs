using M3Actors.Examples.Demo;

// A small command dispatcher: no arguments runs the main demo; later issues add their commands to this table.
var commands = new Dictionary<string, (string Help, Func<string[], Task<int>> Run)>
{
    ["demo"] = ("the main demo: a DRVS with two VMs and a small Minix-style system (the default)",
        _ => MinixDemo.RunAsync(Console.Out)),
    ["proc"] = ("the demo system on 2 vCPUs, stopped while fs waits for the disk: the /proc view, who is blocked on whom",
        _ => M3Actors.Examples.Proc.ProcCommand.RunAsync(Console.Out)),
    ["smp"] = ("the SMP practicals: IPC2 with k pairs under each policy on 1, N and 2N vCPUs; table + PNG in artifacts/smp/ (args: [pairs] [seconds per run])",
        a => M3Actors.Examples.Smp.SmpCommand.RunAsync(Console.Out, a)),
    ["minix"] = ("Minix as actors: N shells do file I/O while the disk driver crashes K times and RS heals it "
        + "(args: [--clients N] [--crashes K] [--seconds S])",
        a => M3Actors.Examples.Minix.MinixCommand.RunAsync(Console.Out, a)),
    ["hosting"] = ("the generic host: a DRVS and VM 1 from configuration (args: --M3Actors:Vms:0:Name=other ...), an echo server and a hosted client; stopping the host ends the VM",
        a => M3Actors.Examples.Hosting.HostingCommand.RunAsync(Console.Out, a)),
    ["trace"] = ("the message trace: a small scenario (sendrec, vcopy, notify, Locked, DstDied) traced to artifacts/trace/scenario.md (Mermaid) and .txt",
        a => M3Actors.Examples.Trace.TraceCommand.RunAsync(Console.Out, a)),
    ["cluster"] = ("one VM on two node processes (loopback): callers on node 2, servers on node 1, then node 1 is killed and the callers get NotConnected",
        a => M3Actors.Examples.Cluster.ClusterCommand.RunAsync(Console.Out, a)),
    ["processes"] = ("one VM across a server process and 2 client processes (shared memory): the /proc view with pids, then client B is SIGKILLed mid-call and the rest carries on",
        a => M3Actors.Examples.Processes.ProcessesCommand.RunAsync(Console.Out, a)),
};

var name = args.Length == 0 ? "demo" : args[0];
if (name is "help" or "-h" or "--help")
{
    Usage(Console.Out);
    return 0;
}
if (!commands.TryGetValue(name, out var command))
{
    Console.Error.WriteLine($"unknown command '{name}'");
    Usage(Console.Error);
    return 2;
}

// A last-resort deadline: the demos bound every wait themselves, but a demo must never hang a terminal or CI.
var run = command.Run(args.Skip(1).ToArray());
if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) != run)
{
    Console.Error.WriteLine($"'{name}' did not finish within 60 s");
    Environment.Exit(3);
}
return await run;

void Usage(TextWriter to)
{
    to.WriteLine("usage: dotnet run --project Examples [command]");
    foreach (var (key, (help, _)) in commands) to.WriteLine($"  {key,-8} {help}");
}
