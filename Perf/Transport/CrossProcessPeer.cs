using System.Globalization;
using Akka.Actor;
using M3Actors.Perf.M3;
using M3Actors.Transport;

namespace M3Actors.Perf.Transport;

/// <summary>
/// The child side of the cross-process M3 benchmarks (<c>peer m3 &lt;address&gt;</c>, address from
/// <see cref="Address"/>): attaches to the parent's shared VM and binds one server per pair at system slots
/// 0..pairs−1 — a thread that receives ANY and replies, or an actor of <see cref="ServerProps"/> — then serves
/// until the peer's stdin closes. The VM stays attached for the child's life: the parent kills the child at the end.
/// </summary>
public static class CrossProcessPeer
{
    /// <summary>The server kinds: a thread endpoint or an actor endpoint.</summary>
    public const string ThreadServer = "thread";

    /// <summary>An actor endpoint server.</summary>
    public const string ActorServer = "actor";

    /// <summary>The benchmark a child serves: IPC1 (send back), IPC2 (reply) or IPC3 (notify back).</summary>
    public enum Test
    {
        /// <summary>send / receive both ways.</summary>
        Ipc1,

        /// <summary>sendrec / reply.</summary>
        Ipc2,

        /// <summary>notify both ways.</summary>
        Ipc3,

        /// <summary>vcopy: a thread endpoint per pair with one buffer of <see cref="CopyBufferBytes"/> in its copy
        /// window (buffer id 0, read and write), blocked in its receive so that it is a party the parent may copy
        /// to and from.</summary>
        Copy,
    }

    /// <summary>The size of a Copy child's buffer: the largest block the cross-process copy cases move.</summary>
    public const int CopyBufferBytes = 1024 * 1024;

    /// <summary>The peer address naming the arena directory, VM id, test, server kind and pair count.</summary>
    public static string Address(string directory, int vmId, Test test, string kind, int pairs) =>
        string.Join('|', directory, vmId.ToString(CultureInfo.InvariantCulture), test, kind,
            pairs.ToString(CultureInfo.InvariantCulture));

    /// <summary>The attach options both processes use: they must agree on name, slots and process count.</summary>
    public static SharedVmOptions Options(string directory, int vmId) => new()
    {
        Directory = directory,
        MaxProcesses = 4,
        AttachTimeout = TimeSpan.FromSeconds(10),
        Vm = new VmOptions { Id = vmId, Name = "xperf" },
    };

    /// <summary>Attaches and starts the servers; returns the address for the ready line.</summary>
    public static string Serve(string address)
    {
        if (address.Split('|') is not [var directory, var vmId, var test, var kind, var pairs])
        {
            throw new ArgumentException($"m3 peer address '{address}' is not directory|vm|test|kind|pairs");
        }
        var drvs = Drvs.Start();
        var vm = drvs.AttachVm(Options(directory, int.Parse(vmId, CultureInfo.InvariantCulture)));
        var served = Enum.Parse<Test>(test);
        var failures = new RoundSignal(1);
        ReportFailures(failures);
        for (var slot = 0; slot < int.Parse(pairs, CultureInfo.InvariantCulture); slot++)
        {
            if (kind == ActorServer)
            {
                vm.ActorOf(ServerProps(served, slot, failures), $"server-{slot}");
            }
            else if (kind == ThreadServer && served == Test.Ipc2)
            {
                StartReplyThread(vm.Bind(slot, $"reply thread {slot}"));
            }
            else if (kind == ThreadServer && served == Test.Copy)
            {
                StartCopyParty(vm, vm.Bind(slot, $"copy party {slot}"));
            }
            else
            {
                throw new ArgumentException($"m3 peer: no {kind} server for {test}");
            }
        }
        return address;
    }

    private static Props ServerProps(Test test, int slot, RoundSignal failures) => test switch
    {
        Test.Ipc1 => EchoSendServer.Props(slot, failures),
        Test.Ipc2 => ReplyServer.Props(slot, failures),
        Test.Ipc3 => NotifyServer.Props(slot, failures),
        _ => throw new ArgumentOutOfRangeException(nameof(test), test, null),
    };

    private static void StartReplyThread(EndpointHandle server) => new Thread(() =>
    {
        while (true)
        {
            var status = server.Receive(Endpoint.Any, out var request);
            if (status == IpcStatus.Ok)
            {
                status = server.Reply(request.Source, in request);
            }
            if (status != IpcStatus.Ok)
            {
                // The parent's call then times out with its /proc view; this line says why.
                Console.Error.WriteLine($"m3 peer: {server.Endpoint}: {server.LastError ?? status.Describe()}");
                return;
            }
        }
    }) { IsBackground = true, Name = $"reply {server.Endpoint}" }.Start();

    // Registers the party's buffer (id 0), then stays blocked in receive: the parent's copies need no message.
    private static void StartCopyParty(Vm vm, EndpointHandle party)
    {
        party.RegisterBuffer(vm.AllocateCopyBuffer(CopyBufferBytes), BufferAccess.ReadWrite);
        new Thread(() =>
        {
            var status = party.Receive(Endpoint.Any, out _);
            Console.Error.WriteLine(
                $"m3 peer: {party.Endpoint} left its receive: {party.LastError ?? status.Describe()}");
        }) { IsBackground = true, Name = $"copy party {party.Endpoint}" }.Start();
    }

    // An actor server's failed call goes to stderr: the parent sees only its own call time out.
    private static void ReportFailures(RoundSignal failures) => new Thread(() =>
    {
        while (true)
        {
            try
            {
                failures.Wait();
            }
            catch (TimeoutException)
            {
                continue;
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"m3 peer: {e.Message}");
            }
            return;
        }
    }) { IsBackground = true, Name = "m3 peer failures" }.Start();
}
