using System.Globalization;
using M3Actors.Kernel;
using M3Actors.Threads;
using M3Actors.Transport;
using M3Actors.Transport.Arena;

namespace M3Actors.TransportHost;

/// <summary>
/// The host's cheap side of a shared VM (commands starting with <c>lite</c>), for tests that start many children:
/// the transport's kernel with its wake thread and reaper (<see cref="SharedKernel"/>), thread endpoints only, and
/// no DRVS or actor system, so a child is attached in a fraction of the time <c>vm attach</c> takes. It serves an
/// echo server thread and runs a load of checked sendrecs, as <see cref="VmSession"/> does.
/// </summary>
internal sealed class LiteSession(Action<string> reply) : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);
    private SharedKernel? _shared;
    private IpcKernel? _kernel;
    private VmOptions? _vm;

    /// <summary>Runs one <c>lite</c> command; returns its reply, or null when a thread prints it.</summary>
    public string? Run(string[] w) => w[1] switch
    {
        "attach" => Attach(w),
        "kernel" => MakeKernel(),
        "server" => Serve(Int(w[2])),
        "load" => Load(Int(w[2]), new Endpoint(Int(w[3])), Int(w[4])),
        "bindany" => BindAny(Int(w[2]), Int(w[3])),
        _ => throw new ArgumentException($"unknown lite command '{w[1]}'"),
    };

    /// <summary>Leaves the VM, if attached.</summary>
    public void Dispose() => _shared?.Dispose();

    private IpcKernel Kernel => _kernel ?? throw new InvalidOperationException("lite attach first");

    // lite attach <dir> <drvs> <vm id> <name> <system slots> <user slots> <max processes> [nokernel]: nokernel
    // stops between the arena's attach and the kernel's creation (an attachment that cannot reap yet) until
    // `lite kernel`.
    private string Attach(string[] w)
    {
        var vm = new VmOptions { Id = Int(w[4]), Name = w[5], SystemSlots = Int(w[6]), UserSlots = Int(w[7]) };
        _shared = SharedKernel.Attach(new ArenaOptions
        {
            Directory = w[2], DrvsId = Int(w[3]), VmId = vm.Id, VmName = vm.Name,
            Layout = new ArenaLayout(vm.SystemSlots + vm.UserSlots, Int(w[8])),
        }, windowBytes: 1 << 20);    // this child never vcopies: the smallest copy window
        // The stages of every reap this child wins, for the campaign's release-time figures.
        _shared.Reaper.Reaped += t => reply(
            $"reaped {t.Dead.Pid} {t.Dead.DetectedAt} {t.Began} {t.Released} {t.Repaired} {t.Unbound}");
        _vm = vm;
        return w is [.., "nokernel"] ? $"lite attached {Environment.ProcessId} without a kernel" : MakeKernel();
    }

    private string MakeKernel()
    {
        _kernel = _shared!.CreateKernel(_vm!, 1 << 20);
        return $"lite attached {Environment.ProcessId}";
    }

    // lite server <slot>: a thread answering every request with its int plus one, until its endpoint ends.
    private string Serve(int slot)
    {
        var port = Bind(slot);
        new Thread(() =>
        {
            while (Call(port, () => Kernel.Receive(port.Proc, Endpoint.Any, IpcCalls.Receive, true),
                       Timeout.InfiniteTimeSpan) == IpcStatus.Ok)
            {
                var m = port.Proc.Msg;
                m.SetInt(0, m.GetInt(0) + 1);
                Kernel.Reply(port.Proc, m.Source, in m);
            }
        }) { IsBackground = true, Name = $"lite echo {slot}" }.Start();
        return $"lite serving {port.Proc.Ep.Value}";
    }

    // lite load <slot> <server> <n>: n sendrecs, each checked for its own value plus one; stops at the first miss.
    private string? Load(int slot, Endpoint server, int count)
    {
        var port = Bind(slot);
        new Thread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                var m = new Message(VmSession.EchoType);
                m.SetInt(0, i);
                var status = Call(port, () => Kernel.Send(port.Proc, server, in m, IpcCalls.SendRec, true),
                    CallTimeout);
                var answer = port.Proc.Msg.GetInt(0);
                if (status == IpcStatus.Ok && answer == i + 1) continue;
                reply($"lite load {status} {i} {answer}");
                return;
            }
            reply($"lite load Ok {count}");
        }) { IsBackground = true, Name = $"lite load {slot}" }.Start();
        return null;
    }

    // lite bindany <rounds> <count>: binds count endpoints at any free user slot and unbinds them, rounds times;
    // the last round's stay bound and their slots are the reply (an IpcException, e.g. SlotUsed, is the reply).
    private string BindAny(int rounds, int count)
    {
        var bound = new List<Proc>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var p in bound) Kernel.Unbind(p, IpcStatus.NotBound);
            bound.Clear();
            for (var i = 0; i < count; i++)
                bound.Add(Kernel.Bind(null, new ThreadPort { Kernel = Kernel }, OwnerKind.Thread, "lite any"));
        }
        return $"lite boundany {string.Join(',', bound.Select(p => p.Slot))}";
    }

    private ThreadPort Bind(int slot)
    {
        var port = new ThreadPort { Kernel = Kernel };
        port.Proc = Kernel.Bind(slot, port, OwnerKind.Thread, $"lite {Environment.ProcessId} slot {slot}");
        port.RecordWait = _shared!.RecordWait(slot);
        return port;
    }

    // A blocking call as an endpoint handle makes it: the endpoint's one call, waited for when it suspends.
    private static IpcStatus Call(ThreadPort port, Func<IpcStatus> start, TimeSpan timeout)
    {
        if (!port.TryEnter(mayBlock: true)) return IpcStatus.Busy;
        try
        {
            var status = start();
            return status == IpcStatus.Suspended ? port.Wait(timeout) : status;
        }
        finally
        {
            port.Exit();
        }
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
