using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// Who reaps a killed process: an attachment that has no kernel yet (a process still starting) must leave the
/// death to a survivor that can reap at once; a reap it won would wait for its kernel, and the dead process's
/// partners with it (the kill campaign saw 0.2–0.8 s, and a call left blocked past its 10 s timeout).
/// </summary>
public sealed class KillReaperTests : SharedVmTest
{
    private const int ChildServer = 4;

    [Fact(Timeout = 60_000)]
    public async Task A_survivor_still_without_its_kernel_leaves_the_reap_to_one_that_has_it()
    {
        using var starting = await LiteChildAsync(withKernel: false);
        using var victim = await LiteChildAsync();
        var server = SharedVm.EndpointIn(
            await victim.ExpectAsync($"lite server {ChildServer}", "lite serving"));
        using var client = Shared.Vm.Bind(owner: "client here");
        var call = Task.Run(() => client.Receive(server, out _, SharedVm.Patience));
        await Shared.AwaitStateAsync(client.Endpoint, "RECEIVING");

        await victim.KillHardAsync();

        // Released while the starting child still has no kernel: the reap did not wait for it.
        Assert.Equal(IpcStatus.SrcDied, await call.WaitAsync(SharedVm.Patience));
        await SharedVm.AwaitAsync(() => Shared.ProcOf(server) is null, () => $"{server} is still listed");
        Assert.Null(Shared.Vm.Kernel.CheckRecords());
        // Once its kernel exists it is an ordinary survivor: it binds and serves.
        await starting.ExpectAsync("lite kernel", "lite attached");
        await starting.ExpectAsync($"lite server {ChildServer}", "lite serving");
        lock (starting.Reaps) Assert.Empty(starting.Reaps);
    }

    private async Task<HostProcess> LiteChildAsync(bool withKernel = true)
    {
        var child = HostProcess.Start();
        try
        {
            var reply = await child.AskAsync($"lite attach {Arenas.Path} 1 {Shared.VmId} {Shared.Name} " +
                $"{SharedVm.SystemSlots} {SharedVm.UserSlots} {SharedVm.MaxProcesses}" +
                (withKernel ? "" : " nokernel"));
            Assert.StartsWith("lite attached", reply);
            Assert.Equal(withKernel, !reply.EndsWith("without a kernel", StringComparison.Ordinal));
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }
}
