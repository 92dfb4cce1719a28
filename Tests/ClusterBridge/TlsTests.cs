using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using M3Actors.ClusterBridge.Membership;
using Xunit;
using Xunit.Abstractions;

namespace M3Actors.Tests.ClusterBridge;

/// <summary>
/// TLS between a VM's nodes as one setting (<c>m3actors.cluster.tls</c>): two nodes with TLS on, each with a
/// throwaway self-signed certificate made here, form the cluster and call each other.
/// </summary>
public sealed class TlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _certificate = Path.Combine(Path.GetTempPath(), $"m3-tls-{Guid.NewGuid():N}.pfx");

    [Fact(Timeout = 90_000)]
    public async Task Two_nodes_with_tls_on_form_the_vm_and_a_sendrec_crosses()
    {
        WriteSelfSignedCertificate(_certificate, "pfx-password");
        await using var nodes = await BridgeNodes.StartAsync(2, output, bridge: o =>
            o with { TlsEnabled = true, TlsCertificatePath = _certificate, TlsPassword = "pfx-password" });
        Assert.True(nodes.Bridge(2).Options.TlsEnabled);
        using var server = nodes[1].Bind(slot: 5, owner: "echo");
        await nodes[2].WhenBoundAsync(5, BridgeNodes.Patience);
        var serving = Task.Factory.StartNew(() =>
            server.Receive(Endpoint.Any, out var m, BridgeNodes.Patience) is var s && s == IpcStatus.Ok
                ? server.Reply(m.Source, new Message(m.Type + 1)) : s,
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        using var client = nodes[2].Bind(owner: "client");
        var request = new Message(41);
        Assert.Equal(IpcStatus.Ok, client.SendRec(Endpoint.System(5), ref request, BridgeNodes.Patience));
        Assert.Equal(42, request.Type);
        Assert.Equal(IpcStatus.Ok, await serving.WaitAsync(BridgeNodes.Patience));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_node_without_tls_cannot_join_a_vm_whose_nodes_have_it_on()
    {
        WriteSelfSignedCertificate(_certificate, "");
        await using var nodes = await BridgeNodes.StartAsync(1, output, bridge: o =>
            o with { NodeSet = new HashSet<int> { 1, 2 }, TlsEnabled = true, TlsCertificatePath = _certificate });
        var plain = new BridgeOptions
        {
            NodeId = 2, NodeSet = new HashSet<int> { 1, 2 }, Secret = "the-secret-of-vm-3-across-nodes",
            SeedNodes = [nodes.Bridge(1).HostPort],
        };
        await using var drvs = Drvs.Start(new DrvsOptions { NodeId = 2 });
        var vm = drvs.StartVm(M3Actors.ClusterBridge.VmBridge.Configure(new VmOptions { Id = 3, Name = "spread" }, plain));
        // Bounded: the join never completes (its connection is not TLS), so the wait is cancelled.
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => M3Actors.ClusterBridge.VmBridge.StartAsync(vm, plain, giveUp.Token));
        Assert.Single(nodes.Bridge(1).UpNodes);     // only itself
    }

    [Fact]
    public void Tls_on_without_a_certificate_file_is_refused_naming_the_key()
    {
        var options = new BridgeOptions
        {
            NodeId = 1, NodeSet = new HashSet<int> { 1 }, Secret = "sixteen-characters!", TlsEnabled = true,
            TlsCertificatePath = _certificate,
        };
        var error = Assert.Throws<ArgumentException>(() => options.Validated());
        Assert.Contains("m3actors.cluster.tls.certificate-path", error.Message);
    }

    public void Dispose() => File.Delete(_certificate);

    private static void WriteSelfSignedCertificate(string path, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=m3actors-test-node", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
    }
}
