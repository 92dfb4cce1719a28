using Akka.Configuration;
using M3Actors.Tracing;
using Xunit;

namespace M3Actors.Tests.Ecosystem;

/// <summary>The trace's switch and capacity from HOCON (<c>m3actors.trace</c>) and from <see cref="VmOptions.Trace"/>.</summary>
public sealed class TraceConfigTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Drvs _drvs = Drvs.Start();

    [Fact(Timeout = 30_000)]
    public Task The_HOCON_section_switches_the_trace_on_with_its_capacity()
    {
        var vm = Start("m3actors.trace { enabled = on, capacity = 16 }");
        Assert.True(vm.Trace.Enabled);
        Assert.Equal(16, vm.Trace.Capacity);
        using var client = vm.Bind(owner: "client");
        Assert.Equal(TraceKind.Bind, Assert.Single(vm.Trace.Snapshot().Events).Kind);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public Task Without_a_section_the_reference_defaults_apply_off_and_4096()
    {
        var vm = Start("");
        Assert.False(vm.Trace.Enabled);
        Assert.Equal(4096, vm.Trace.Capacity);
        Assert.Equal(new TraceOptions { Enabled = false, Capacity = 4096 }, TraceOptions.FromConfig(Config.Empty));
        return Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public Task The_typed_options_win_over_HOCON()
    {
        var vm = _drvs.StartVm(new VmOptions
        {
            Id = 1, Name = "typed",
            Trace = new TraceOptions { Enabled = true, Capacity = 32 },
            ActorConfig = ConfigurationFactory.ParseString("m3actors.trace { enabled = off, capacity = 16 }"),
        });
        Assert.True(vm.Trace.Enabled);
        Assert.Equal(32, vm.Trace.Capacity);
        return Task.CompletedTask;
    }

    [Theory(Timeout = 30_000)]
    [InlineData("m3actors.trace.enable = on", "m3actors.trace.enable is not a known key; did you mean m3actors.trace.enabled?")]
    [InlineData("m3actors.trace.capacty = 8", "did you mean m3actors.trace.capacity?")]
    [InlineData("m3actors.trac.enabled = on", "m3actors.trac is not a known key; did you mean m3actors.trace?")]
    [InlineData("m3actors.trace.enabled = maybe", "m3actors.trace.enabled = 'maybe' is not a boolean: use on or off")]
    [InlineData("m3actors.trace.capacity = lots", "m3actors.trace.capacity = 'lots' is not an integer")]
    [InlineData("m3actors.trace.capacity = 0", "m3actors.trace.capacity = 0 is outside 1..1048576")]
    public Task A_misspelt_key_or_a_bad_value_stops_the_VM_from_starting_and_names_the_key(string hocon, string expected)
    {
        var e = Assert.Throws<IpcException>(() => Start(hocon));
        Assert.Equal(IpcStatus.BadRange, e.Status);
        Assert.Contains(expected, e.Message);
        Assert.Empty(_drvs.Vms);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public Task A_typed_capacity_out_of_range_is_refused_with_the_same_range()
    {
        var e = Assert.Throws<IpcException>(() => _drvs.StartVm(new VmOptions
        {
            Id = 1, Name = "typed", Trace = new TraceOptions { Capacity = TraceOptions.MaxCapacity + 1 },
        }));
        Assert.Equal(IpcStatus.BadRange, e.Status);
        Assert.Contains("VmOptions.Trace.Capacity = 1048577 is outside 1..1048576", e.Message);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public Task DisposeAsync() => _drvs.EndAsync().WaitAsync(Patience);

    private Vm Start(string hocon) => _drvs.StartVm(new VmOptions
    {
        Id = 1, Name = "traced",
        ActorConfig = hocon.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(hocon),
    });
}
