using Akka.Configuration;
using M3Actors.Tracing;

namespace M3Actors.Examples.Trace;

/// <summary>
/// <c>dotnet run --project Examples -- trace</c>: a small scenario with the VM's message trace on (HOCON
/// <c>m3actors.trace.enabled = on</c>) — a client thread reads from a file server actor (sendrec, a vcopy into the
/// client's buffer while it waits, the reply), notifies it, runs into a deadlock refusal (<c>Locked</c>) with a disk
/// thread and then loses that disk while sending to it (<c>DstDied</c>). It writes the trace to
/// <c>artifacts/trace/scenario.md</c> (a Mermaid sequence diagram) and <c>.txt</c>, and exits 0 only if the trace
/// holds every event the scenario must produce.
/// </summary>
public static class TraceCommand
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Runs the scenario; 0 when the trace is as expected, 1 when not, 2 for arguments (it takes none).</summary>
    public static async Task<int> RunAsync(TextWriter output, string[] args)
    {
        if (args.Length > 0)
        {
            await output.WriteLineAsync($"trace takes no arguments, got: {string.Join(' ', args)}");
            return 2;
        }
        TraceSnapshot trace;
        await using (var drvs = Drvs.Start())
        {
            var vm = drvs.StartVm(new VmOptions
            {
                Id = 1, Name = "trace",
                ActorConfig = ConfigurationFactory.ParseString("m3actors.trace { enabled = on, capacity = 1024 }"),
            });
            vm.ActorOf(TraceFileServer.Props(), "fs");
            var fs = await vm.WhenBoundAsync(TraceFileServer.Slot, Patience);
            await vm.StartThread((client, _) => Script(vm, client, fs), owner: "client").WaitAsync(Patience * 3);
            trace = vm.Trace.Snapshot();
        }
        var missing = Missing(trace);
        var (md, txt) = await WriteAsync(trace);
        await output.WriteAsync(trace.ToText());
        await output.WriteLineAsync($"trace: {trace.Events.Count} events ({trace.Dropped} dropped), written to {md} and {txt}");
        foreach (var what in missing) await output.WriteLineAsync($"FAIL: the trace has no {what}");
        await output.WriteLineAsync(missing.Count == 0 ? "PASS" : "FAIL");
        return missing.Count == 0 ? 0 : 1;
    }

    // The client's side: read 64 bytes through the server, notify it, then the two errors with the disk thread.
    private static void Script(Vm vm, EndpointHandle client, Endpoint fs)
    {
        var buffer = new byte[64];
        var request = new Message(TraceFileServer.Read);
        request.SetInt(0, client.RegisterBuffer(buffer, BufferAccess.Write));
        request.SetInt(1, buffer.Length);
        Expect(client.SendRec(fs, ref request, Patience), "sendrec READ");
        Expect((IpcStatus)request.GetInt(0), "the server's vcopy");
        if (!buffer.AsSpan().SequenceEqual(TraceFileServer.File.AsSpan(0, buffer.Length)))
            throw new InvalidOperationException("the bytes read differ from the file's");
        Expect(client.Notify(fs), "notify");

        var disk = vm.Bind(owner: "disk");
        var diskReceives = Task.Factory.StartNew(() => disk.Receive(client.Endpoint, out _, Patience),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        AwaitState(vm, disk.Endpoint, $"RECEIVING from {client.Endpoint}");
        // The disk waits for us, so our waiting for the disk would close a cycle: refused at once.
        Expect(client.Receive(disk.Endpoint, out _, Patience), "receive from the disk", IpcStatus.Locked);
        Expect(client.Send(disk.Endpoint, new Message(7), Patience), "send to the disk");
        Expect(diskReceives.Result, "the disk's receive");

        // Now the disk is not receiving: our send queues, and the disk ends under it.
        var sending = Task.Factory.StartNew(() => client.Send(disk.Endpoint, new Message(8), Patience),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        AwaitState(vm, client.Endpoint, $"SENDING to {disk.Endpoint}");
        disk.Dispose();
        Expect(sending.Result, "send to the ended disk", IpcStatus.DstDied);
    }

    // What the scenario must have left in the trace, by kind, primitive and status.
    private static List<string> Missing(TraceSnapshot trace)
    {
        var expected = new (string What, Func<TraceEvent, bool> Match)[]
        {
            ("sendrec delivered to the server", e => e is { Kind: TraceKind.Deliver, Call: IpcCalls.SendRec }),
            ("vcopy of 64 bytes", e => e is { Kind: TraceKind.Copy, Bytes: 64 }),
            ("reply delivered to the client", e => e is { Kind: TraceKind.Deliver, Call: IpcCalls.Reply }),
            ("notify delivered", e => e is { Kind: TraceKind.Deliver, Call: IpcCalls.Notify }),
            ("block of the client's sendrec", e => e is { Kind: TraceKind.Block, Call: IpcCalls.SendRec }),
            ("Locked error", e => e is { Kind: TraceKind.Error, Status: IpcStatus.Locked }),
            ("DstDied wakeup", e => e is { Kind: TraceKind.Wake, Status: IpcStatus.DstDied }),
        };
        var missing = expected.Where(x => !trace.Events.Any(x.Match)).Select(x => x.What).ToList();
        if (trace.Dropped > 0) missing.Add($"dropped events (but {trace.Dropped} were dropped)");
        return missing;
    }

    private static async Task<(string Md, string Txt)> WriteAsync(TraceSnapshot trace)
    {
        var dir = Path.Combine("artifacts", "trace");
        Directory.CreateDirectory(dir);
        var txt = Path.GetFullPath(Path.Combine(dir, "scenario.txt"));
        var md = Path.ChangeExtension(txt, ".md");
        await File.WriteAllTextAsync(txt, trace.ToText());
        await File.WriteAllTextAsync(md,
            "# Trace: a client reads from a file server, notifies it, is refused a deadlock and loses a disk\n\n" +
            "Written by `dotnet run --project Examples -- trace` (docs/trace.md).\n\n```mermaid\n" + trace.ToMermaid() +
            "```\n");
        return (md, txt);
    }

    // Waits (bounded) until the /proc view shows the endpoint in the state: the next step depends on it.
    private static void AwaitState(Vm vm, Endpoint endpoint, string state)
    {
        if (!SpinWait.SpinUntil(() => vm.Snapshot().Procs.Any(p => p.Endpoint == endpoint && p.State == state), Patience))
            throw new TimeoutException($"{endpoint} did not reach '{state}' within {Patience}");
    }

    private static void Expect(IpcStatus status, string what, IpcStatus expected = IpcStatus.Ok)
    {
        if (status != expected)
            throw new InvalidOperationException($"{what} returned {status} ({status.Describe()}), expected {expected}");
    }
}
