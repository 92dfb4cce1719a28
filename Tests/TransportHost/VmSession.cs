using System.Globalization;
using Akka.Actor;
using M3Actors.Transport;

namespace M3Actors.TransportHost;

/// <summary>
/// The host's side of a VM shared with the test process (commands starting with <c>vm</c>): attach with the public
/// <see cref="TransportExtensions.AttachVm"/>, bind thread endpoints by slot, serve with an echo thread or actor,
/// and make each primitive from a bound endpoint. A call that may block runs on its own thread and prints its reply
/// line (<c>vm &lt;call&gt; &lt;status&gt; ...</c>) when it returns, so the test can act meanwhile.
/// </summary>
internal sealed class VmSession(Action<string> reply) : IDisposable
{
    /// <summary>Message type the echo servers answer (with the payload's int 0 plus one).</summary>
    public const int EchoType = 1;

    private readonly Dictionary<int, EndpointHandle> _handles = [];
    private readonly Dictionary<(int Slot, int Id), Memory<byte>> _buffers = [];
    private Drvs? _drvs;
    private Vm? _vm;

    /// <summary>Runs one <c>vm</c> command; returns its immediate reply, or null when a thread will print it.</summary>
    public string? Run(string[] w) => w[1] switch
    {
        "attach" => Attach(w),
        "bind" => $"vm bound {Bind(Int(w[2])).Endpoint.Value}",
        "server" => Serve(w[2], Int(w[3])),
        "send" => Async(() => $"vm send {Handle(w[2]).Send(Ep(w[3]), new Message(Int(w[4])), Ms(w[5]))}"),
        "sendnb" => $"vm sendnb {Handle(w[2]).SendNb(Ep(w[3]), new Message(Int(w[4])))}",
        "sendrec" => Async(() => SendRec(Handle(w[2]), Ep(w[3]), Int(w[4]), Ms(w[5]))),
        "load" => Async(() => Load(Handle(w[2]), Ep(w[3]), Int(w[4]))),
        "actorcall" => ActorCall(Int(w[2]), Ep(w[3]), Int(w[4])),
        "receive" => Async(() => Received("receive", Handle(w[2]).Receive(Ep(w[3]), out var m, Ms(w[4])), m)),
        "rcvrqst" => Async(() => Received("rcvrqst", Handle(w[2]).RcvRqst(out var m, Ms(w[3])), m)),
        "reply" => $"vm reply {Handle(w[2]).Reply(Ep(w[3]), Echo(Int(w[4])))}",
        "notify" => $"vm notify {Handle(w[2]).Notify(Ep(w[3]))}",
        "buffer" => Buffer(Handle(w[2]), Int(w[3]), Int(w[4]), w[5]),
        "sum" => $"vm sum {CopyPattern.Checksum(_buffers[(Int(w[2]), Int(w[3]))].Span)}",
        "vcopy" => Async(() => $"vm vcopy {Handle(w[2]).VCopy(Ep(w[3]), new BufferAddress(Int(w[4])), Ep(w[5]),
            new BufferAddress(Int(w[6])), Int(w[7]))}"),
        "vcopyloop" => CopyLoop(Handle(w[2]), Ep(w[3]), Int(w[4]), Ep(w[5]), Int(w[6]), Int(w[7])),
        "unbind" => Unbind(Int(w[2])),
        "end" => End(),
        _ => throw new ArgumentException($"unknown vm command '{w[1]}'"),
    };

    /// <summary>Ends the VM and the DRVS, if attached.</summary>
    public void Dispose() => End();

    private Vm Vm => _vm ?? throw new InvalidOperationException("no VM attached");

    // vm attach <dir> <drvs> <vm id> <name> <system slots> <user slots> <max processes>
    private string Attach(string[] w)
    {
        _drvs = Drvs.Start();
        _vm = _drvs.AttachVm(new SharedVmOptions
        {
            Directory = w[2], DrvsId = Int(w[3]), MaxProcesses = Int(w[8]),
            Vm = new VmOptions { Id = Int(w[4]), Name = w[5], SystemSlots = Int(w[6]), UserSlots = Int(w[7]) },
        });
        return $"vm attached {Environment.ProcessId}";
    }

    private EndpointHandle Bind(int slot)
    {
        var handle = Vm.Bind(slot, $"host {Environment.ProcessId} slot {slot}");
        lock (_handles) _handles[slot] = handle;
        return handle;
    }

    // vm server thread|actor <slot>: answers every EchoType request (sendrec) with its int plus one, forever.
    private string Serve(string kind, int slot)
    {
        if (kind == "actor")
        {
            Vm.ActorOf(Props.Create(() => new EchoActor(slot)), $"echo{slot}");
            return $"vm serving {Vm.WhenBoundAsync(slot, TimeSpan.FromSeconds(10)).Result.Value}";
        }
        var server = Bind(slot);
        new Thread(() =>
        {
            while (server.Receive(Endpoint.Any, out var m) == IpcStatus.Ok)
                if (m.Type == EchoType) server.Reply(m.Source, Echo(m.GetInt(0) + 1));
        }) { IsBackground = true, Name = $"echo {slot}" }.Start();
        return $"vm serving {server.Endpoint.Value}";
    }

    private static string SendRec(EndpointHandle client, Endpoint server, int value, TimeSpan timeout)
    {
        var m = Echo(value);
        var status = client.SendRec(server, ref m, timeout);
        return $"vm sendrec {status} {m.GetInt(0)}";
    }

    // vm load <slot> <server> <n>: n sendrecs, each checked for its own value plus one; stops at the first miss.
    private static string Load(EndpointHandle client, Endpoint server, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var m = Echo(i);
            var status = client.SendRec(server, ref m, TimeSpan.FromSeconds(20));
            if (status != IpcStatus.Ok || m.GetInt(0) != i + 1) return $"vm load {status} {i} {m.GetInt(0)}";
        }
        return $"vm load Ok {count}";
    }

    // vm actorcall <slot> <server> <value>: an actor bound at the slot makes one sendrec and prints its outcome.
    private string? ActorCall(int slot, Endpoint server, int value)
    {
        Vm.ActorOf(Props.Create(() => new CallerActor(slot, server, value, reply)), $"caller{slot}");
        return null;
    }

    private static string Received(string call, IpcStatus status, in Message m) =>
        $"vm {call} {status} {m.Source.Value} {m.Type} {m.GetInt(0)}";

    // vm buffer <slot> <bytes> <seed> r|w|rw: a buffer from this process's copy window, byte i = i * 31 + seed,
    // registered for the slot's endpoint; replies with its id.
    private string Buffer(EndpointHandle owner, int bytes, int seed, string access)
    {
        var buffer = Vm.AllocateCopyBuffer(bytes);
        CopyPattern.Fill(buffer.Span, seed);
        var id = owner.RegisterBuffer(buffer, access switch
        {
            "r" => BufferAccess.Read,
            "w" => BufferAccess.Write,
            _ => BufferAccess.ReadWrite,
        });
        _buffers[(owner.Endpoint.Slot, id)] = buffer;
        return $"vm buffer {id}";
    }

    // vm vcopyloop <slot> <src> <buf> <dst> <buf> <bytes>: copies over and over on a thread of its own (the test
    // kills the process mid-copy); replies "vm vcopyloop started" at once, and the first failure if one comes.
    private string CopyLoop(EndpointHandle requester, Endpoint src, int from, Endpoint dst, int to, int bytes)
    {
        new Thread(() =>
        {
            IpcStatus status;
            var (source, target) = (new BufferAddress(from), new BufferAddress(to));
            while ((status = requester.VCopy(src, source, dst, target, bytes)) == IpcStatus.Ok)
            {
            }
            reply($"vm vcopyloop {status}");
        }) { IsBackground = true, Name = "vcopy loop" }.Start();
        return "vm vcopyloop started";
    }

    private string Unbind(int slot)
    {
        lock (_handles)
        {
            _handles.Remove(slot, out var handle);
            handle!.Dispose();
        }
        return "vm unbound";
    }

    private string End()
    {
        _vm?.EndAsync().Wait(TimeSpan.FromSeconds(20));
        _drvs?.EndAsync().Wait(TimeSpan.FromSeconds(20));
        (_vm, _drvs) = (null, null);
        return "vm ended";
    }

    private string? Async(Func<string> call)
    {
        new Thread(() => reply(call())) { IsBackground = true }.Start();
        return null;
    }

    private EndpointHandle Handle(string slot)
    {
        lock (_handles) return _handles.TryGetValue(Int(slot), out var h) ? h : Bind(Int(slot));
    }

    private static Message Echo(int value)
    {
        var m = new Message(EchoType);
        m.SetInt(0, value);
        return m;
    }

    private static Endpoint Ep(string text) => text switch
    {
        "any" => Endpoint.Any,
        _ => new Endpoint(Int(text)),
    };

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    // Milliseconds; "inf" waits forever.
    private static TimeSpan Ms(string text) =>
        text == "inf" ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Int(text));

    /// <summary>An actor endpoint that makes one sendrec when it starts and prints its outcome.</summary>
    private sealed class CallerActor(int slot, Endpoint server, int value, Action<string> print) : EndpointActor(slot)
    {
        protected override void PreStart()
        {
            base.PreStart();
            var status = SendRec(server, Echo(value));
            if (status != IpcStatus.Suspended) print($"vm actorcall {status} -1");
        }

        protected override void OnMessage(in Message m) => print($"vm actorcall unexpected {m.Type}");

        protected override void OnReply(IpcStatus status, in Message reply) =>
            print($"vm actorcall {status} {reply.GetInt(0)}");
    }

    /// <summary>An actor endpoint that answers every EchoType request with its int plus one.</summary>
    private sealed class EchoActor(int slot) : EndpointActor(slot)
    {
        protected override void OnMessage(in Message m)
        {
            if (m.Type == EchoType) Reply(m.Source, Echo(m.GetInt(0) + 1));
        }
    }
}
