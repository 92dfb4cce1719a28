using System.Globalization;
using M3Actors.Kernel;
using M3Actors.Transport;
using M3Actors.Transport.Arena;

namespace M3Actors.TransportHost;

/// <summary>
/// The host's fault-injection side (commands starting with <c>fault</c>): a kernel over a shared VM's arena whose
/// process-shared locks and foreign ports are those of <see cref="SharedKernel"/>, wrapped so that a reply can stop
/// this process for good at a chosen point — holding the partner's slot lock after the outcome is written, or
/// after the unlock but before the partner's wakeup — a taken request can stop it between the stores of the
/// sender's state change, and a slot's lock can be held forever, for the test to kill the process right there.
/// Endpoints here are thread endpoints driven only by calls that never block.
/// </summary>
internal sealed class FaultSession(Action<string> reply) : IDisposable
{
    private readonly Dictionary<int, Proc> _bound = [];
    private FaultySharing? _sharing;
    private IpcKernel? _kernel;

    /// <summary>Runs one <c>fault</c> command; returns its reply, or null when a thread prints it.</summary>
    public string? Run(string[] w) => w[1] switch
    {
        "attach" => Attach(w),
        "bind" => Bind(Int(w[2])),
        "take" => Take(w),
        "reply" => Reply(Int(w[2]), new Endpoint(Int(w[3])), Int(w[4]), w[5]),
        "hold" => Hold(Int(w[2])),
        _ => throw new ArgumentException($"unknown fault command '{w[1]}'"),
    };

    /// <summary>Leaves the arena, if attached.</summary>
    public void Dispose() => _sharing?.Dispose();

    private IpcKernel Kernel => _kernel ?? throw new InvalidOperationException("fault attach first");

    // fault attach <dir> <drvs> <vm id> <name> <system slots> <user slots> <max processes>
    private string Attach(string[] w)
    {
        var (systemSlots, userSlots) = (Int(w[6]), Int(w[7]));
        var shared = SharedKernel.Attach(new ArenaOptions
        {
            Directory = w[2], DrvsId = Int(w[3]), VmId = Int(w[4]), VmName = w[5],
            Layout = new ArenaLayout(systemSlots + userSlots, Int(w[8])),
        }, windowBytes: 1 << 20);    // this child never vcopies: the smallest copy window
        _sharing = new FaultySharing(shared, reply);
        _kernel = new IpcKernel(systemSlots, userSlots, _ => Privileges.Full, 1 << 20,
            shared.Arena.SlotRegion(systemSlots + userSlots), _sharing);
        shared.Reaper.Start(_kernel, shared.Arena.Processes);      // the deaths it wins are reaped through it
        return $"fault attached {Environment.ProcessId}";
    }

    private string Bind(int slot)
    {
        var proc = Kernel.Bind(slot, new PrintingPort(slot, reply), OwnerKind.Thread, $"fault {slot}");
        _bound[slot] = proc;
        return $"fault bound {proc.Ep.Value}";
    }

    // fault take <slot> [<sender slot> <stop>]: takes a queued request without blocking. With a sender slot, the
    // taking section stops for good inside the state change of that sender's record, after its <stop>-th store
    // (1: the source it will wait for is named, 2: its flags say so too), and prints "fault stopped store <stop>":
    // the record is then half written, as a kill -9 there leaves it (Debug builds: IpcKernel.BetweenStateStores).
    private string? Take(string[] w)
    {
        var proc = _bound[Int(w[2])];
        string Took() =>
            $"fault took {Kernel.Receive(proc, Endpoint.Any, IpcCalls.RcvRqst, mayBlock: false)} " +
            $"{proc.Msg.Source.Value} {proc.Msg.GetInt(0)}";
        if (w.Length == 3) return Took();
        var (senderSlot, stop) = (Int(w[3]), Int(w[4]));
        var stores = 0;
        IpcKernel.BetweenStateStores = p =>
        {
            if (p.Slot == senderSlot && ++stores == stop) FaultySharing.Stop(reply, $"store {stop}");
        };
        new Thread(() => reply(Took())) { IsBackground = true }.Start();
        return null;
    }

    // fault reply <slot> <client> <value> unlock|wake|none: replies value + 1, stopping this process for good
    // where the last word says (none: it does not stop, and prints the reply's status).
    private string? Reply(int slot, Endpoint client, int value, string stopAt)
    {
        _sharing!.StopAt(client.Slot, stopAt);
        var proc = _bound[slot];
        var m = new Message(VmSession.EchoType);
        m.SetInt(0, value + 1);
        new Thread(() => reply($"fault replied {Kernel.Reply(proc, client, m)}")) { IsBackground = true }.Start();
        return null;
    }

    // fault hold <slot>: takes the slot's process-shared lock, as a kernel section does, and never releases it.
    private string? Hold(int slot)
    {
        var sharing = _sharing ?? throw new InvalidOperationException("fault attach first");
        new Thread(() =>
        {
            sharing.Lock(slot);
            FaultySharing.Stop(reply, $"holding {slot}");
        }) { IsBackground = true }.Start();
        return null;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
