using System.Diagnostics;
using M3Actors.Transport;

namespace M3Actors.Examples.Processes;

/// <summary>
/// The children of the <c>processes</c> command, each attached to the same shared VM: the server process (an echo
/// server, a slow server that holds its requests, and a monitor that sends to whoever the slow server holds) and
/// the client processes (echo calls checked by sequence number and checksum, a progress line twice a second; on
/// <c>hold</c> from stdin, one sendrec to the slow server, which never returns). Each runs until its stdin closes.
/// </summary>
internal static class ProcessesChild
{
    /// <summary>How long any step of the example may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>The system slot of the echo server.</summary>
    public const int EchoSlot = 3;

    /// <summary>The system slot of the slow server.</summary>
    public const int SlowSlot = 4;

    /// <summary>
    /// The user slot of the server process's monitor. Every process of the example binds named slots: two processes
    /// asking for "any free user slot" at the same moment may both pick the same one, and one gets SlotUsed.
    /// </summary>
    public const int MonitorSlot = 24;

    private const int Echo = 1;
    private const int Notice = 2;

    /// <summary>The options every process of the example attaches with.</summary>
    public static SharedVmOptions Options(string directory) => new()
    {
        Directory = directory, DrvsId = 1, MaxProcesses = 8,
        Vm = new VmOptions { Id = 1, Name = "processes", SystemSlots = 16, UserSlots = 16 },
    };

    /// <summary>The server process: prints <c>serving</c>, then what its monitor and slow server saw.</summary>
    public static async Task<int> ServeAsync(TextWriter output, string directory)
    {
        var drvs = Drvs.Start();
        var vm = drvs.AttachVm(Options(directory));
        var echo = vm.Bind(EchoSlot, "echo server");
        var slow = vm.Bind(SlowSlot, "slow server");
        var monitor = vm.Bind(MonitorSlot, "monitor");
        Background("echo", () =>
        {
            while (echo.Receive(Endpoint.Any, out var m) == IpcStatus.Ok)
            {
                if (m.Type != Echo) continue;
                m.SetInt(0, m.GetInt(0) + 1);
                echo.Reply(m.Source, m);
            }
        });
        Background("slow", () =>
        {
            if (slow.RcvRqst(out var request) != IpcStatus.Ok) return;
            Say(output, $"holding {request.Source.Value}");
            // The client blocks in its sendrec; the monitor's send to it waits until the client receives, or ends.
            var sent = monitor.Send(request.Source, new Message(Notice), Patience);
            var replied = slow.Reply(request.Source, request);
            Say(output, $"released send {sent} reply {replied}");
        });
        Say(output, $"serving {echo.Endpoint.Value} {slow.Endpoint.Value} {monitor.Endpoint.Value}");
        await RunUntilStdinClosesAsync(_ => { });
        await vm.EndAsync();
        await drvs.EndAsync();
        return 0;
    }

    /// <summary>
    /// A client process bound at user slot <paramref name="slot"/>: echo calls until <c>hold</c>, then one sendrec
    /// to the slow server.
    /// </summary>
    public static async Task<int> CallAsync(TextWriter output, string directory, string name, int slot)
    {
        var drvs = Drvs.Start();
        var vm = drvs.AttachVm(Options(directory));
        var client = vm.Bind(slot, $"client {name}");
        var hold = 0;
        Background($"client {name}", () => Calls(output, client, () => Volatile.Read(ref hold) != 0));
        Say(output, $"bound {client.Endpoint.Value}");
        await RunUntilStdinClosesAsync(line =>
        {
            if (line == "hold") Volatile.Write(ref hold, 1);
        });
        await vm.EndAsync();
        await drvs.EndAsync();
        return 0;
    }

    // Echo calls, each checked for its own sequence number plus one and its checksum; a progress line every 500 ms.
    private static void Calls(TextWriter output, EndpointHandle client, Func<bool> hold)
    {
        var (ok, wrong, other) = (0L, 0L, 0L);
        var progress = Stopwatch.StartNew();
        for (var seq = 0; !hold(); seq++)
        {
            var m = new Message(Echo);
            m.SetInt(0, seq);
            m.SetInt(1, Checksum(seq));
            var status = client.SendRec(Endpoint.System(EchoSlot), ref m, Patience);
            if (status != IpcStatus.Ok) other++;
            else if (m.GetInt(0) == seq + 1 && m.GetInt(1) == Checksum(seq)) ok++;
            else wrong++;
            if (progress.ElapsedMilliseconds < 500) continue;
            Say(output, $"calls ok {ok} wrong {wrong} failed {other}");
            progress.Restart();
        }
        Say(output, "holding");
        var held = new Message(Echo);
        Say(output, $"held call returned {client.SendRec(Endpoint.System(SlowSlot), ref held)}");
    }

    private static int Checksum(int value) => unchecked(value * -1640531535) ^ 0x5bd1e995;

    private static void Background(string name, Action body) =>
        new Thread(() => body()) { IsBackground = true, Name = name }.Start();

    private static async Task RunUntilStdinClosesAsync(Action<string> onLine)
    {
        while (await Console.In.ReadLineAsync() is { } line) onLine(line);
    }

    private static void Say(TextWriter output, string line)
    {
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
